"""Spiking-YOLO (Kim et al., AAAI 2020): a trained ANN YOLO converted into
an SNN, the conversion baseline of SNN-YOLOv3's Table 1.

Conversion (:meth:`SpikingYOLO.calibrate`):

* **channel-wise data-based normalisation**: for every activation (each
  ``ConvModule``'s LeakyReLU / ReLU) the ``percentile`` (99.9 by default)
  of each channel's ANN activation over calibration images becomes that
  channel's scale ``lambda`` (:mod:`.calibration`);
* every such activation becomes a :class:`SignedIFNeuron` (imbalanced
  threshold for leaky-ReLU's negative side) with threshold and spike height
  ``lambda`` (equivalent to normalising the weights by ``lambda_in /
  lambda_out`` with unit thresholds, see the neuron);
* the input image drives the first conv as a constant analog current at
  every step; BN stays as the affine part of each conv (its bias is a
  constant current per step); the prediction convs do not spike: their
  current is **accumulated over the T steps and averaged**.

Execution is step by step with stateful neurons (one network pass per
step, nothing folded into the batch), so memory does not grow with T and
T = 3500 runs as well as T = 8.

spikingjelly 2.0's ``activation_based.ann2snn`` was checked and is not used
for the conversion itself: its ``Converter`` traces the model with torch.fx
(mmdet's detectors with their data samples and the YOLO neck's loops do not
trace) and it converts ReLU only (IF neurons behind ``VoltageScaler``s),
with no signed neuron for leaky-ReLU; its ``VoltageHook`` records one
network-wide scale per layer, not per channel. mmsnn reuses spikingjelly's
``MemoryModule`` for the neuron state instead and replaces activations in
the module tree, which keeps mmdet's modules, names and checkpoints.
"""
import copy
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.models.detectors import BaseDetector
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from mmengine.runner import CheckpointLoader
from spikingjelly.activation_based import base
from torch import Tensor

from ..engine.checkpoint.allowlist import safe_checkpoint_loading
from ..models.time.folding import check_time_steps
from ..utils.input_error import InputError
from .calibration import (ChannelPercentileRecorder, normalisation_factors,
                          run_calibration)
from .signed_if_neuron import SignedIFNeuron

ANN_ACTIVATIONS = (nn.LeakyReLU, nn.ReLU)


def slope_of(act: nn.Module) -> float:
    """Leaky-ReLU's negative slope (0 for ReLU)."""
    return float(getattr(act, 'negative_slope', 0.))


def convertible_activations(model: nn.Module) -> Dict[str, ConvModule]:
    """``{name: ConvModule}`` of every conv whose activation is a
    (leaky-)ReLU, in module order."""
    return {
        name: m
        for name, m in model.named_modules()
        if isinstance(m, ConvModule) and m.with_activation
        and isinstance(m.activate, (SignedIFNeuron, ) + ANN_ACTIVATIONS)
    }


class ConvOpCounter:
    """Per-step operations of the converted network, from hooks on its
    convs: dense MACs of each conv, and its synaptic operations = MACs x the
    fraction of non-zero inputs (a spike, or a residual sum of spikes, costs
    one accumulate per fan-out). The conv fed the image is counted as
    real-valued MACs once: its input, hence its current, is the same at
    every step.

    Totals are per image: ``macs_per_step`` (the ANN's cost),
    ``real_macs``, ``sops`` (over all steps), ``steps``; ``sops_at(t)`` are
    the SOPs of the first ``t`` steps, for the steps a simulation recorded.
    """

    def __init__(self, model: nn.Module) -> None:
        self.convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        self.handles = []
        self.image = None
        self.reset()

    def reset(self) -> None:
        self.totals = dict(macs_per_step=0., real_macs=0., sops=0.,
                           images=0, steps=0)
        self._step_macs = 0.
        self._batch_start = 0.
        self._sops_at: Dict[int, float] = {}

    def _hook(self, conv: nn.Conv2d, inputs, output) -> None:
        x = inputs[0]
        kh, kw = conv.kernel_size
        macs = (output[0].numel() * conv.in_channels // conv.groups * kh * kw)
        n = x.shape[0]
        self._step_macs += macs
        if self.image is not None and x.data_ptr() == self.image.data_ptr():
            if self.first_step:
                self.totals['real_macs'] += macs * n
        else:
            nonzero = float((x != 0).sum()) / x[0].numel()  # per image, sum
            self.totals['sops'] += macs * nonzero

    def start_batch(self, image: Tensor) -> None:
        self.image = image
        self.totals['images'] += image.shape[0]
        self._batch_start = self.totals['sops']

    def start_step(self, first: bool) -> None:
        self.first_step = first
        self._step_macs = 0.

    def end_step(self, first: bool) -> None:
        if first:
            self.totals['macs_per_step'] += self._step_macs * self.image.shape[
                0]
            self.totals['steps'] = 0
        self.totals['steps'] += 1

    def snapshot(self, step: int) -> None:
        """Note the SOPs of this batch's first ``step`` steps."""
        self._sops_at[step] = self._sops_at.get(step, 0.) + (
            self.totals['sops'] - self._batch_start)

    def sops_at(self, step: int) -> float:
        """SOPs per image of the first ``step`` steps."""
        return self._sops_at[step] / max(self.totals['images'], 1)

    def __enter__(self) -> 'ConvOpCounter':
        self.handles = [c.register_forward_hook(self._hook)
                        for c in self.convs]
        return self

    def __exit__(self, *exc) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def per_image(self) -> dict:
        n = max(self.totals['images'], 1)
        return dict(macs_per_step=self.totals['macs_per_step'] / n,
                    real_macs=self.totals['real_macs'] / n,
                    sops=self.totals['sops'] / n,
                    time_steps=self.totals['steps'])


@MODELS.register_module()
class SpikingYOLO(BaseDetector):
    """A trained ANN YOLO detector converted into a Spiking-YOLO SNN.

    Wraps the ANN (``ann``: any single-stage mmdet detector whose
    activations are ``ConvModule`` LeakyReLU / ReLU, e.g. mmdet's YOLOv3 or
    mmsnn's ANN twins) and replaces those activations with
    :class:`SignedIFNeuron` s. Until :meth:`calibrate` has run (or a
    converted checkpoint is loaded) it refuses to predict. Test it with
    mmdet's runner like any detector; it does not train.

    Args:
        ann (dict | nn.Module): The ANN detector (config or module).
        time_steps (int): T, the simulation length. Defaults to 1024.
        percentile (float): Percentile of the normalisation.
            Defaults to 99.9.
        count_ops (bool): Count per-step ops during ``predict`` into
            :attr:`op_counter`. Defaults to False.
        data_preprocessor: Defaults to the ANN's.
        init_cfg: As :class:`BaseDetector`.
    """

    def __init__(self,
                 ann: Union[ConfigType, nn.Module],
                 time_steps: int = 1024,
                 percentile: float = 99.9,
                 count_ops: bool = False,
                 data_preprocessor: Optional[ConfigType] = None,
                 init_cfg=None) -> None:
        ann = MODELS.build(ann) if isinstance(ann, dict) else ann
        super().__init__(
            data_preprocessor=data_preprocessor or ann.data_preprocessor,
            init_cfg=init_cfg)
        self.ann = ann
        self.time_steps = check_time_steps(time_steps)
        self.percentile = percentile
        self.register_buffer('calibrated', torch.tensor(False))
        self.convs = convertible_activations(ann)
        if not self.convs:
            raise InputError(
                f'SpikingYOLO: {type(ann).__name__} has no ConvModule with a '
                'LeakyReLU / ReLU activation to convert.')
        for conv in self.convs.values():
            conv.activate = SignedIFNeuron(
                conv.conv.out_channels, slope_of(conv.activate))
        self.count_ops = count_ops
        self.op_counter = ConvOpCounter(self.ann)

    # ------------------------------------------------------------- weights
    def load_ann_checkpoint(self, filename: str) -> None:
        """Load an ANN checkpoint (keys of ``ann``) into the wrapped ANN;
        only the neurons' thresholds may be missing from it."""
        with safe_checkpoint_loading():  # runner checkpoints of any hook
            ckpt = CheckpointLoader.load_checkpoint(filename,
                                                    map_location='cpu')
        state = ckpt.get('state_dict', ckpt)
        own = {k for k in self.ann.state_dict()
               if not k.endswith('activate.threshold')}
        missing = sorted(own - set(state))
        unexpected = sorted(set(state) - set(self.ann.state_dict()))
        if missing or unexpected:
            key = (missing or unexpected)[0]
            raise InputError(
                f'{filename}: {"missing" if missing else "unexpected"} key '
                f'{key!r} ({len(missing)} missing, {len(unexpected)} '
                'unexpected): not a checkpoint of this ANN config.')
        try:
            self.ann.load_state_dict(state, strict=False)
        except RuntimeError as e:  # shapes
            raise InputError(f'{filename} does not fit the ANN config: '
                             f'{str(e).splitlines()[-1].strip()}') from None

    @torch.no_grad()
    def calibrate(self, batches: Iterable[Tensor],
                  max_batches: int = 10**9,
                  max_samples: int = 200000) -> Dict[str, Tensor]:
        """Set every neuron's ``lambda`` from the ANN's activations.

        Args:
            batches (Iterable[Tensor]): Preprocessed images ``[B, 3, H, W]``.
            max_batches (int): Use at most this many.
            max_samples (int): Values kept per channel (see
                :class:`ChannelPercentileRecorder`).

        Returns:
            dict[str, Tensor]: The factors, per ``ConvModule`` name.
        """
        neurons = {n: c.activate for n, c in self.convs.items()}
        try:  # run the ANN: put its activations back meanwhile
            for name, conv in self.convs.items():
                conv.activate = nn.LeakyReLU(neurons[name].negative_slope)
            recorder = ChannelPercentileRecorder(
                {n: c.activate for n, c in self.convs.items()}, max_samples)
            self.ann.eval()
            with recorder:
                n = run_calibration(self._ann_forward, batches, max_batches)
        finally:
            for name, conv in self.convs.items():
                conv.activate = neurons[name]
        if not n:
            raise InputError('SpikingYOLO.calibrate: no calibration images.')
        factors = {}
        for name, p in recorder.percentiles(self.percentile).items():
            lam = normalisation_factors(p, recorder.samples[name])
            neurons[name].threshold.copy_(lam)
            factors[name] = lam
        self.calibrated.fill_(True)
        return factors

    def _ann_forward(self, x: Tensor):
        return self.ann.bbox_head(self.ann.extract_feat(x))

    # ---------------------------------------------------------- simulation
    def reset_neurons(self) -> None:
        for m in self.ann.modules():
            if isinstance(m, base.MemoryModule):
                m.reset()

    @torch.no_grad()
    def simulate(self, batch_inputs: Tensor,
                 record_steps: Optional[Sequence[int]] = None
                 ) -> Dict[int, Tuple[Tensor, ...]]:
        """Run the SNN step by step and average the prediction currents.

        Args:
            batch_inputs (Tensor): Preprocessed images ``[B, 3, H, W]``.
            record_steps (Sequence[int], optional): Steps after which to
                take the mean so far; defaults to ``(time_steps, )``.

        Returns:
            dict[int, tuple[Tensor]]: Step -> the head's prediction maps
            averaged over the steps so far (shapes as the ANN head's).
        """
        if not bool(self.calibrated):
            raise InputError(
                'SpikingYOLO: not calibrated. Call calibrate() on ANN '
                'calibration images (tools/analysis_tools/convert_ann_to_'
                'snn.py does) or load a converted checkpoint.')
        steps = sorted(set(record_steps or (self.time_steps, )))
        for s in steps:
            check_time_steps(s, 'record step')
        self.reset_neurons()
        counter = self.op_counter
        if self.count_ops:
            counter.__enter__()
            counter.start_batch(batch_inputs)
        out, total = {}, None
        try:
            for t in range(1, steps[-1] + 1):
                if self.count_ops:
                    counter.start_step(t == 1)
                maps = self._ann_forward(batch_inputs)[0]
                if self.count_ops:
                    counter.end_step(t == 1)
                total = (list(maps) if total is None else
                         [a + m for a, m in zip(total, maps)])
                if t in steps:
                    out[t] = tuple(a / t for a in total)
                    if self.count_ops:
                        counter.snapshot(t)
        finally:
            if self.count_ops:
                counter.__exit__()
            self.reset_neurons()
        return out

    def predict_at_steps(self, batch_inputs: Tensor, batch_data_samples,
                         steps: Sequence[int], rescale: bool = True
                         ) -> Dict[int, list]:
        """Detections after each of ``steps`` from one simulation: step ->
        data samples (copies) with ``pred_instances``."""
        metas = [s.metainfo for s in batch_data_samples]
        out = {}
        for t, maps in self.simulate(batch_inputs, steps).items():
            results = self.ann.bbox_head.predict_by_feat(
                maps, batch_img_metas=metas, rescale=rescale)
            out[t] = self.add_pred_to_datasample(
                copy.deepcopy(batch_data_samples), results)
        return out

    def predict(self, batch_inputs: Tensor, batch_data_samples,
                rescale: bool = True) -> list:
        """Detections after ``time_steps`` steps (mmdet's predict API)."""
        metas = [s.metainfo for s in batch_data_samples]
        maps = self.simulate(batch_inputs)[self.time_steps]
        results = self.ann.bbox_head.predict_by_feat(
            maps, batch_img_metas=metas, rescale=rescale)
        return self.add_pred_to_datasample(batch_data_samples, results)

    def _forward(self, batch_inputs: Tensor, batch_data_samples=None):
        return self.simulate(batch_inputs)[self.time_steps]

    def extract_feat(self, batch_inputs: Tensor):
        return self.ann.extract_feat(batch_inputs)

    def loss(self, batch_inputs, batch_data_samples):
        raise InputError(
            'SpikingYOLO is a converted network for inference: train the ANN '
            '(its `ann` config) and convert again.')


def spiking_yolo_model_cfg(ann_model_cfg: ConfigType, time_steps: int,
                           percentile: float = 99.9,
                           count_ops: bool = False) -> dict:
    """The model config of the Spiking-YOLO conversion of ``ann_model_cfg``
    (an mmdet config's ``model``)."""
    ann = copy.deepcopy(ann_model_cfg)
    data_preprocessor = ann.get('data_preprocessor')
    return dict(type='SpikingYOLO', ann=ann, time_steps=time_steps,
                percentile=percentile, count_ops=count_ops,
                data_preprocessor=data_preprocessor)


def calibration_batches(model: SpikingYOLO, dataloader,
                        num_images: int) -> List[Tensor]:
    """Preprocessed image batches of a dataloader, ``num_images`` in all."""
    out, seen = [], 0
    for batch in dataloader:
        inputs = model.data_preprocessor(batch, False)['inputs']
        inputs = inputs[:num_images - seen]
        out.append(inputs)
        seen += inputs.shape[0]
        if seen >= num_images:
            break
    return out
