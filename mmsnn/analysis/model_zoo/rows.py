"""One model-zoo row: what a config is and what its run measured."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from mmdet.registry import MODELS
from mmengine.config import Config

from ...models.defaults import DEFAULT_NEURON_CFG
from ...models.neurons import BaseSpikingNeuron
from ..energy_schema import EnergyReport
from .run_outputs import MAP_KEYS, read_metrics, train_seconds

#: What the Gen1 protocol reports: COCO mAP@[.5:.95] and mAP@.5.
GEN1_PROTOCOL = 'Gen1 protocol: COCO AP@[.5:.95] / AP@.5 (101-point)'


@dataclass
class ZooRow:
    """A model-zoo row: the model, its data and protocol, and the numbers of
    one run (None where the run gave none).

    Attributes:
        label (str): The row's name, e.g. ``'SNN-YOLOv3, IF'``.
        config (str): The config's path.
        dataset (str): The test set, in words.
        time_steps (int, optional): T of a spiking model; None for an ANN.
        neuron (str, optional): The spiking model's neurons.
        decoding (str, optional): Its head's decoding.
        map (float, optional): mAP in %, of the protocol.
        map_50 (float, optional): mAP@.5 in % where the protocol gives two
            (Gen1's).
        protocol (str, optional): How the mAP was computed.
        params (float, optional): Parameters.
        macs_per_step (float, optional): Dense MACs of one time step.
        sops (float, optional): Synaptic operations per image, all steps.
        firing_rate (float, optional): Mean firing rate.
        snn_energy_j (float, optional): 45 nm energy per image (J).
        ann_energy_j (float, optional): The same MACs as an ANN's (J).
        fps (float, optional): Images per second of the test's model time.
        batch_size (int, optional): The test's batch size.
        train_s (float, optional): Training wall time (s).
        notes (list[str]): Remarks: where the numbers come from.
    """
    label: str
    config: str
    dataset: str
    time_steps: Optional[int] = None
    neuron: Optional[str] = None
    decoding: Optional[str] = None
    map: Optional[float] = None
    map_50: Optional[float] = None
    protocol: Optional[str] = None
    params: Optional[float] = None
    macs_per_step: Optional[float] = None
    sops: Optional[float] = None
    firing_rate: Optional[float] = None
    snn_energy_j: Optional[float] = None
    ann_energy_j: Optional[float] = None
    fps: Optional[float] = None
    batch_size: Optional[int] = None
    train_s: Optional[float] = None
    notes: List[str] = field(default_factory=list)


def is_neuron_type(name: str) -> bool:
    """Whether the registered type ``name`` is a spiking neuron (a
    :class:`~mmsnn.models.neurons.BaseSpikingNeuron`)."""
    cls = MODELS.get(name)
    return isinstance(cls, type) and issubclass(cls, BaseSpikingNeuron)


def _neuron_cfgs(cfg) -> List[dict]:
    """Every ``neuron_cfg`` with a type nested in a config dict."""
    if isinstance(cfg, dict):
        own = cfg.get('neuron_cfg')
        found = [own] if isinstance(own, dict) and 'type' in own else []
        return found + [c for k, v in cfg.items() if k != 'neuron_cfg'
                        for c in _neuron_cfgs(v)]
    if isinstance(cfg, (list, tuple)):
        return [c for v in cfg for c in _neuron_cfgs(v)]
    return []


def neuron_label(model: dict) -> str:
    """The neurons a spiking model config uses, e.g. ``'LIFNeuron'`` or
    ``'SpikingJellyNeuron(ILIFNode)'``; the default neuron's type where no
    part states one."""
    labels = [f"{c['type']}({c['node']})" if 'node' in c else c['type']
              for c in _neuron_cfgs(model) if is_neuron_type(c['type'])]
    return ', '.join(dict.fromkeys(labels)) or DEFAULT_NEURON_CFG['type']


def is_spiking(model: dict) -> bool:
    """Whether a model config is spiking: it has ``time_steps`` and is not
    an ANN twin, whose every ``neuron_cfg`` is a plain activation (a type
    that is not a spiking neuron, e.g. LeakyReLU)."""
    if 'time_steps' not in model:
        return False
    types = [c['type'] for c in _neuron_cfgs(model)]
    return not types or any(is_neuron_type(t) for t in types)


def protocol(cfg: Config, key: str, from_val: bool) -> str:
    """How the mAP of metric ``key`` was computed, in words."""
    evaluator = cfg.get('val_evaluator' if from_val else 'test_evaluator')
    if isinstance(evaluator, (list, tuple)):
        evaluator = evaluator[0]
    evaluator = evaluator or {}
    if key == 'pascal_voc/mAP':
        mode = evaluator.get('eval_mode', '11points')
        points = '11-point' if mode == '11points' else 'all-point (area)'
        return f"VOC AP@{evaluator.get('iou_thrs', 0.5)} ({points})"
    if key == 'gen1/mAP':
        return GEN1_PROTOCOL
    return 'COCO-style AP@0.5 (101-point)'


def dataset_label(cfg: Config) -> str:
    """``VOCDataset VOC2007/ImageSets/Main/test.txt`` from the test set."""
    ds = cfg.test_dataloader.dataset
    while 'dataset' in ds:
        ds = ds.dataset
    return f"{ds.get('type', '?')} {ds.get('ann_file', '')}".strip()


def _energy_notes(energy: EnergyReport, spiking: bool) -> List[str]:
    images = energy.images or {}
    shapes = images.get('input_shapes') or []
    size = 'x'.join(map(str, shapes[0])) if len(shapes) == 1 else \
        'various sizes'
    kind = 'synthetic noise images' if images.get('kind') == 'synthetic' \
        else 'test images'
    notes = [f"energy: {images.get('images')} {kind} at {size}"]
    if not energy.checkpoint and spiking:
        notes.append('random-init weights: SOPs and SNN energy not '
                     'representative')
    return notes


def table_row(run: Dict[str, str]) -> ZooRow:
    """A run's row, from its config and the files it names.

    Args:
        run (dict): :func:`~.run_outputs.parse_run`'s result.

    Returns:
        ZooRow: What the files hold; None where a file is not given.
    """
    cfg = Config.fromfile(run['config'])
    model = cfg.model
    spiking = is_spiking(model)
    row = ZooRow(
        label=run.get('name') or model.type, config=run['config'],
        dataset=run.get('dataset') or dataset_label(cfg))
    if spiking:
        row.time_steps = int(model.time_steps)
        row.neuron = neuron_label(model)
        row.decoding = model.get('bbox_head', {}).get('decode_mode')
    if run.get('metrics'):
        metrics = read_metrics(run['metrics'])
        key = next(k for k in MAP_KEYS if k in metrics)
        from_val = 'step' in metrics  # training logs carry a step
        row.map = 100 * metrics[key]
        if key == 'gen1/mAP' and 'gen1/mAP_50' in metrics:
            row.map_50 = 100 * metrics['gen1/mAP_50']
        row.protocol = protocol(cfg, key, from_val)
        if from_val:
            row.notes.append(f"mAP from validation at step {metrics['step']}")
        if metrics.get('time'):
            loader = cfg.get('val_dataloader' if from_val else
                             'test_dataloader') or {}
            row.batch_size = loader.get('batch_size', 1)
            row.fps = row.batch_size / (metrics['time'] -
                                        metrics.get('data_time', 0.))
    if run.get('train_log'):
        row.train_s = train_seconds(run['train_log'])
    if run.get('energy'):
        energy = EnergyReport.load(run['energy'])
        totals = energy.totals
        row.params = energy.params
        row.macs_per_step = totals.macs_per_step
        # An ANN's own energy is its MACs' (its "SNN" energy would count a
        # layer fed integers, e.g. event counts, as accumulates).
        row.ann_energy_j = totals.ann_energy_j
        if spiking:
            row.snn_energy_j = totals.snn_energy_j
            row.sops = totals.sops
            if energy.firing_rates and energy.firing_rates.mean is not None:
                row.firing_rate = energy.firing_rates.mean
        row.notes += _energy_notes(energy, spiking)
    if run.get('note'):
        row.notes.append(run['note'])
    return row
