"""Model-zoo tables (mmdet style) from the outputs of real runs.

Each ``--run`` names one model's files, as ``KEY=VALUE`` pairs:

* ``config=`` (required) the config the run used;
* ``metrics=`` the metrics JSON: ``tools/test.py``'s
  ``<work_dir>/<timestamp>/<timestamp>.json``, or a training run's
  ``vis_data/scalars.json`` (its last validation line is used);
* ``energy=`` the ``energy.json`` of ``tools/analysis_tools/get_energy.py``;
* ``train_log=`` the training run's text log (``<work_dir>/<timestamp>/
  <timestamp>.log``): its wall time, first line to last, is the train time;
* ``name=`` the row's label, ``dataset=`` the data set's label (default:
  from the config's test set), ``note=`` a remark for the notes column
  (e.g. that the run shared the CPU).

Missing numbers print as "-"; nothing is filled in by hand. Example::

    python tools/analysis_tools/benchmark_table.py \\
        --run config=configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py \\
              metrics=work_dirs/snn_yolov3_minivoc_t4/test/x.json \\
              energy=work_dirs/energy/snn_yolov3_minivoc_t4/energy.json \\
        --hardware "2-core CPU" --out configs/mini_voc/README.md

With ``--out``, the table replaces the block between
``<!-- benchmark_table:start -->`` and ``<!-- benchmark_table:end -->`` of
that file (appended when the file has none).
"""
import argparse
import datetime
import json
from dataclasses import asdict
import os
import os.path as osp
import re
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmdet.registry import MODELS  # noqa: E402
from mmengine.config import Config  # noqa: E402

from mmsnn.analysis.energy_schema import EnergyReport  # noqa: E402
from mmsnn.models.defaults import DEFAULT_NEURON_CFG  # noqa: E402
from mmsnn.models.neurons import BaseSpikingNeuron  # noqa: E402
from mmsnn.utils import InputError  # noqa: E402

START, END = '<!-- benchmark_table:start -->', '<!-- benchmark_table:end -->'
RUN_KEYS = ('config', 'metrics', 'energy', 'train_log', 'name', 'dataset',
            'note')

#: Metric keys of the evaluators (mmdet's and Gen1Metric), in order of
#: preference.
MAP_KEYS = ('pascal_voc/mAP', 'gen1/mAP', 'coco/bbox_mAP_50')
#: mmengine's file log stamps each line ``2026/12/01 10:25:06 - mmengine``.
LOG_STAMP = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - ')


def parse_run(items):
    """``['config=a.py', 'energy=e.json']`` -> dict, checked."""
    run = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or key not in RUN_KEYS:
            raise ValueError(f'--run: expected KEY=VALUE with KEY one of '
                             f'{RUN_KEYS}, got {item!r}')
        run[key] = value
    if 'config' not in run:
        raise ValueError(f'--run {" ".join(items)}: config=... is required')
    for key in ('config', 'metrics', 'energy', 'train_log'):
        if key in run and not osp.isfile(run[key]):
            raise FileNotFoundError(f'--run {key}={run[key]}: no such file')
    return run


def read_metrics(path):
    """The metrics of a test JSON (one object) or the last validation line
    of a training JSON log (one object per line)."""
    with open(path) as f:
        text = f.read()
    try:  # one object (tools/test.py), however it is laid out
        records = [json.loads(text)]
    except json.JSONDecodeError:
        records = None
    last = records[0] if records and any(
        k in records[0] for k in MAP_KEYS) else None
    if records is None:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}, line {n}: not JSON ({e})') from e
            if any(k in record for k in MAP_KEYS):
                last = record
    if last is None:
        raise ValueError(f'{path}: no line holds any of {MAP_KEYS}; pass '
                         'the test JSON of tools/test.py or a log with '
                         'validation results')
    return last


def train_seconds(path):
    """Wall time of a training run from its mmengine text log: the first
    stamped line to the last."""
    stamps = []
    with open(path, errors='replace') as f:
        for line in f:
            match = LOG_STAMP.match(line)
            if match:
                stamps.append(match.group(1))
    if len(stamps) < 2:
        raise ValueError(f'{path}: fewer than two lines stamped like '
                         '"2026/12/01 10:25:06 - mmengine"; pass the text '
                         'log of a training run (<work_dir>/<timestamp>/'
                         '<timestamp>.log)')
    first, last = (datetime.datetime.strptime(s, '%Y/%m/%d %H:%M:%S')
                   for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds()


def protocol(cfg, key, from_val):
    """How the mAP was computed, in words."""
    evaluator = cfg.get('val_evaluator' if from_val else 'test_evaluator')
    if isinstance(evaluator, (list, tuple)):
        evaluator = evaluator[0]
    evaluator = evaluator or {}
    if key == 'pascal_voc/mAP':
        mode = evaluator.get('eval_mode', '11points')
        points = '11-point' if mode == '11points' else 'all-point (area)'
        iou = evaluator.get('iou_thrs', 0.5)
        return f'VOC AP@{iou} ({points})'
    if key == 'gen1/mAP':
        return 'Gen1 protocol: COCO AP@[.5:.95] / AP@.5 (101-point)'
    return 'COCO-style AP@0.5 (101-point)'


def dataset_label(cfg):
    """``VOCDataset VOC2007/ImageSets/Main/test.txt`` from the test set."""
    ds = cfg.test_dataloader.dataset
    while 'dataset' in ds:
        ds = ds.dataset
    return f"{ds.get('type', '?')} {ds.get('ann_file', '')}".strip()


def batch_size(cfg, from_val):
    loader = cfg.get('val_dataloader' if from_val else 'test_dataloader')
    return (loader or {}).get('batch_size', 1)


def _neuron_cfgs(cfg):
    """Every ``neuron_cfg`` with a type nested in a config dict."""
    if isinstance(cfg, dict):
        own = cfg.get('neuron_cfg')
        found = [own] if isinstance(own, dict) and 'type' in own else []
        return found + [c for k, v in cfg.items() if k != 'neuron_cfg'
                        for c in _neuron_cfgs(v)]
    if isinstance(cfg, (list, tuple)):
        return [c for v in cfg for c in _neuron_cfgs(v)]
    return []


def _neuron_types(cfg):
    """Types of every ``neuron_cfg`` nested in a config dict."""
    return [c['type'] for c in _neuron_cfgs(cfg)]


def neuron_label(model):
    """The neurons a spiking model config uses, e.g. ``'LIFNeuron'`` or
    ``'SpikingJellyNeuron(ILIFNode)'``; the default neuron's type where no
    part states one."""
    labels = []
    for c in _neuron_cfgs(model):
        if is_neuron_type(c['type']):
            label = f"{c['type']}({c['node']})" if 'node' in c else c['type']
            labels.append(label)
    return ', '.join(dict.fromkeys(labels)) or DEFAULT_NEURON_CFG['type']


def is_neuron_type(name):
    """Whether the registered type ``name`` is a spiking neuron (a
    :class:`~mmsnn.models.neurons.BaseSpikingNeuron`)."""
    cls = MODELS.get(name)
    return isinstance(cls, type) and issubclass(cls, BaseSpikingNeuron)


def is_spiking(model):
    """Whether a model config is spiking: it has ``time_steps`` and is not
    an ANN twin, whose every ``neuron_cfg`` is a plain activation (a type
    that is not a spiking neuron, e.g. LeakyReLU)."""
    if 'time_steps' not in model:
        return False
    types = _neuron_types(model)
    return not types or any(is_neuron_type(t) for t in types)


def table_row(run, hardware):
    """One model's numbers, formatted."""
    cfg = Config.fromfile(run['config'])
    model = cfg.model
    spiking = is_spiking(model)
    head = model.get('bbox_head', {})
    row = dict(
        model=run.get('name') or model.type,
        T=str(model.time_steps) if spiking else '-',
        neuron=neuron_label(model) if spiking else '-',
        decoding=head.get('decode_mode', '-') if spiking else '-',
        dataset=run.get('dataset') or dataset_label(cfg),
        map='-', protocol='-', params='-', macs='-', sops='-',
        rate='-', energy='-', fps='-', train='-', notes=[],
        config=run['config'], values={})
    if run.get('metrics'):
        metrics = read_metrics(run['metrics'])
        key = next(k for k in MAP_KEYS if k in metrics)
        from_val = 'step' in metrics  # training logs carry a step
        row['values']['map'] = 100 * metrics[key]
        row['map'] = f'{100 * metrics[key]:.1f}'
        if key == 'gen1/mAP' and 'gen1/mAP_50' in metrics:
            row['values']['map_50'] = 100 * metrics['gen1/mAP_50']
            row['map'] += f" / {100 * metrics['gen1/mAP_50']:.1f}"
        row['protocol'] = protocol(cfg, key, from_val)
        if from_val:
            row['notes'].append(f"mAP from validation at step "
                                f"{metrics['step']}")
        if metrics.get('time'):
            model_time = metrics['time'] - metrics.get('data_time', 0.)
            batch = batch_size(cfg, from_val)
            row['values'].update(batch_size=batch, fps=batch / model_time)
            row['fps'] = f'{batch / model_time:.1f}'
    if run.get('train_log'):
        seconds = train_seconds(run['train_log'])
        row['values']['train_s'] = seconds
        row['train'] = f'{seconds / 60:.1f}'
    if run.get('energy'):
        energy = EnergyReport.load(run['energy'])
        t = energy.totals
        row['values'].update(params=energy.params, **asdict(t))
        row['params'] = f'{energy.params / 1e6:.2f}'
        row['macs'] = f'{t.macs_per_step / 1e9:.3g}'
        # An ANN's own energy is its MACs' (its "SNN" energy would count a
        # layer fed integers, e.g. event counts, as accumulates).
        snn_energy = f'{t.snn_energy_j * 1e3:.3g}' if spiking else '-'
        row['energy'] = f'{snn_energy} / {t.ann_energy_j * 1e3:.3g}'
        if spiking:
            row['sops'] = f'{t.sops / 1e9:.3g}'
        if spiking and energy.firing_rates and \
                energy.firing_rates.mean is not None:
            row['values']['firing_rate'] = energy.firing_rates.mean
            row['rate'] = f'{energy.firing_rates.mean:.3f}'
        images = energy.images or {}
        shapes = images.get('input_shapes') or []
        size = 'x'.join(map(str, shapes[0])) if len(shapes) == 1 else \
            'various sizes'
        if images.get('kind') == 'synthetic':
            row['notes'].append(f"energy: {images.get('images')} synthetic "
                                f"noise images at {size}")
        else:
            row['notes'].append(f"energy: {images.get('images')} test "
                                f"images at {size}")
        if not energy.checkpoint and spiking:
            row['notes'].append('random-init weights: SOPs and SNN energy '
                                'not representative')
    if run.get('note'):
        row['notes'].append(run['note'])
    return row


def markdown(rows, hardware, out_dir):
    """mmdet-style Markdown table, config links relative to ``out_dir``."""
    lines = [
        '| Model | T | Neuron | Decoding | Data set | mAP (%) | Protocol '
        '| Params (M) | MACs/step (G) | SOPs (G) | Firing rate '
        '| Energy SNN / ANN (mJ) | '
        f'FPS ({hardware}) | Train time (min) | Config | Notes |',
        '|' + ' --- |' * 16,
    ]
    for r in rows:
        link = osp.relpath(r['config'], out_dir).replace(os.sep, '/')
        lines.append(
            f"| {r['model']} | {r['T']} | {r['neuron']} | {r['decoding']} "
            f"| {r['dataset']} | {r['map']} | {r['protocol']} "
            f"| {r['params']} | {r['macs']} | {r['sops']} | {r['rate']} "
            f"| {r['energy']} | {r['fps']} | {r['train']} "
            f"| [config]({link}) | {'; '.join(r['notes']) or '-'} |")
    return '\n'.join(lines)


def write_block(path, text):
    """Put ``text`` between the markers of ``path`` (created if needed)."""
    block = f'{START}\n{text}\n{END}'
    old = open(path).read() if osp.isfile(path) else ''
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = (old.rstrip('\n') + '\n\n' if old else '') + block + '\n'
    with open(path, 'w') as f:
        f.write(new)


def metafile(rows, collection, readme, hardware):
    """mmdet's metafile (``Collections`` + ``Models``) for the rows."""
    models = []
    for r in rows:
        v = r['values']
        meta = {}
        if 'params' in v:
            meta['Parameters'] = f"{v['params'] / 1e6:.2f}M"
            meta['MACs per step'] = f"{v['macs_per_step'] / 1e9:.3g}G"
        if r['T'] != '-':
            meta['Time Steps'] = int(r['T'])
            meta['Neuron'] = r['neuron']
            meta['Decoding'] = r['decoding']
            if 'firing_rate' in v:
                meta['Firing rate'] = round(v['firing_rate'], 4)
            if 'sops' in v:
                meta['SOPs'] = f"{v['sops'] / 1e9:.3g}G"
        if 'train_s' in v:
            meta['Training Time (min)'] = round(v['train_s'] / 60, 1)
            meta['Training Resources'] = hardware
        if 'fps' in v:
            meta['inference time (ms/im)'] = [dict(
                value=round(1e3 / v['fps'], 2), hardware=hardware,
                backend='PyTorch', **{'batch size': v['batch_size']},
                mode='FP32')]
        model = {
            'Name': osp.splitext(osp.basename(r['config']))[0],
            'In Collection': collection,
            'Config': osp.relpath(r['config']).replace(os.sep, '/'),
            'Metadata': meta,
        }
        if 'map' in v:
            metrics = {f"mAP ({r['protocol']})": round(v['map'], 1)}
            if 'map_50' in v:
                metrics = {'mAP@[.5:.95] (Gen1 protocol)': round(v['map'], 1),
                           'mAP@.5 (Gen1 protocol)': round(v['map_50'], 1)}
            model['Results'] = [dict(
                Task='Object Detection', Dataset=r['dataset'],
                Metrics=metrics)]
        models.append(model)
    return dict(
        Collections=[dict(Name=collection, README=readme)], Models=models)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write an mmdet-style model-zoo table from run outputs')
    parser.add_argument(
        '--run', nargs='+', action='append', required=True,
        metavar='KEY=VALUE', help=f'one model: keys {RUN_KEYS}')
    parser.add_argument(
        '--hardware', required=True,
        help='what the timed runs ran on, e.g. "2-core CPU"')
    parser.add_argument('--title', help='a line printed above the table')
    parser.add_argument(
        '--out', help='Markdown file to write the table into (between '
        'benchmark_table markers)')
    parser.add_argument(
        '--metafile', help='also write these runs as an mmdet metafile.yml '
        '(paths in it are relative to the current directory: run from the '
        'repository root)')
    parser.add_argument(
        '--collection', default='SNN-YOLOv3',
        help='the metafile\'s collection name')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        runs = [parse_run(items) for items in args.run]
        rows = [table_row(run, args.hardware) for run in runs]
    except (ValueError, FileNotFoundError, InputError) as e:
        # a bad input file is the user's to fix: one line, no traceback
        raise SystemExit(f'benchmark_table: {e}')
    out_dir = osp.dirname(osp.abspath(args.out)) if args.out else os.getcwd()
    text = markdown(rows, args.hardware, out_dir)
    if args.title:
        text = f'{args.title}\n\n{text}'
    print(text)
    if args.out:
        write_block(args.out, text)
    if args.metafile:
        import yaml
        readme = osp.relpath(args.out).replace(os.sep, '/') \
            if args.out else None
        with open(args.metafile, 'w') as f:
            yaml.safe_dump(
                metafile(rows, args.collection, readme, args.hardware), f,
                sort_keys=False)
    return text


if __name__ == '__main__':
    main()
