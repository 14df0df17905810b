"""The paper's three comparisons, run and written up from real runs.

One command trains and evaluates, from the main job's ANN twin:

* the paper's Fig. 2 runs: SG+CMD T=4, SG+CMD T=6, SG+rate T=6, and the
  learnable threshold (weight decay 5e-3) as an ablation, each over
  ``--seeds`` with the same schedule, validated after every epoch;
* its Table 1 baseline: the Spiking-YOLO conversion of the ANN twin at a
  sweep of T (one simulation, recorded at each T);
* the ANN twin itself (mAP, MACs, 45 nm energy),

and writes ``docs/paper_comparisons.md`` (``--out``) with the Fig. 2
analogue (PNG of mAP against epoch, table of best mAP, mean and spread over
seeds), the Table 1 analogue (mAP, T, MACs per step, SOPs, 45 nm and
chip-model energy), the Fig. 4 analogue (PNG of MAC vs AC energy) and each
of the paper's claims stated as holding or not, with the numbers. Every
number in it comes from runs this tool made with the invocation's settings
(stored in ``--work-dir``, see below); ``results.json`` there keeps them
all.

Mini-VOC (the default; the ANN twin is trained first if its checkpoint is
missing)::

    python tools/analysis_tools/paper_comparisons.py --jobs 2 \\
        --hardware "2-core CPU"

PASCAL VOC (given the data and a trained ANN YOLOv3 of
configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py; GPU days)::

    python tools/analysis_tools/paper_comparisons.py --dataset voc \\
        --data-root data/VOCdevkit/ --ann-checkpoint yolov3_voc.pth \\
        --hardware "8x A100" --out docs/paper_comparisons_voc.md

Each run (the ANN twin's test, every SG run, the conversion) writes its
result to ``WORK_DIR/runs/<run>.json`` with the settings that define it; a
later invocation with the same settings reuses it, so an interrupted
comparison resumes where it stopped. ``--jobs N`` runs the SG runs and the
conversion in N processes of ``cpu_count() // N`` threads each (on a 2-core
CPU two 1-thread lanes train faster in all than one 2-thread run); their logs
go to ``WORK_DIR/logs/``.

``--smoke`` runs the whole pipeline on a tiny schedule (1 epoch, 1 seed
unless given, T sweep 2 and 4, few images): for tests, never for numbers.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis import (CHIP_STEP_TIME, E_AC_45NM, E_MAC_45NM,  # noqa
                            TABLE1_EFFICIENCY, SpikeOpAnalyzer)
from mmsnn.conversion import convert_and_evaluate  # noqa: E402
from mmsnn.models.defaults import DEFAULT_NEURON_CFG  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, InputError,  # noqa: E402
                         report_input_errors)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

PRESETS = {
    'mini_voc': dict(
        name='mini-VOC (synthetic, bundled; not PASCAL VOC)',
        ann_config='configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py',
        snn_config='configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py',
        # the main job's SNN trains 5; 2 keeps the 12 SG runs and the
        # conversion under 2 h on 2 cores (--jobs 2)
        epochs=2),
    'voc': dict(
        name='PASCAL VOC07+12 -> VOC07 test',
        ann_config='configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py',
        snn_config='configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py',
        epochs=None),  # the config's schedule
}

#: The SG runs: label -> how they differ from the SNN config. The learnable
#: threshold's weight decay is set in ``sg_run_config``.
VARIANTS = {
    'SG+CMD T=4': dict(time_steps=4, decode_mode='mean'),
    'SG+CMD T=6': dict(time_steps=6, decode_mode='mean'),
    'SG+rate T=6': dict(time_steps=6, decode_mode='rate'),
    'SG+CMD T=6, learnable threshold': dict(
        time_steps=6, decode_mode='mean', learnable_threshold=True),
}
FIG2 = ('SG+CMD T=4', 'SG+CMD T=6', 'SG+rate T=6')
THRESHOLD_DECAY = 5e-3  # the paper's weight decay of its "upper bound"
DEFAULT_SWEEP = (8, 16, 32, 64, 128, 256, 512, 1024)


def from_here_or_repo(path: str) -> str:
    """``path`` if it exists from the working folder, else the same path in
    the repository (the presets' configs and checkpoints are
    repository-relative)."""
    return path if osp.exists(path) else osp.join(REPO, path)


def config_twin(snn_config: str, error) -> str:
    """The ANN twin an SNN config starts from (its ``load_from``: for
    mini-VOC the published twin), found from the working folder or the
    repository; ``error(message)`` if it names none or no file."""
    load_from = Config.fromfile(from_here_or_repo(snn_config)).get(
        'load_from')
    if not load_from:
        error(f'{snn_config} has no load_from: give the ANN twin with '
              '--ann-checkpoint')
    path = from_here_or_repo(load_from)
    if not osp.isfile(path):
        error(f'{load_from} (load_from of {snn_config}) not found: give the '
              'ANN twin with --ann-checkpoint (trained first if missing)')
    return path


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Run the paper\'s comparisons (Fig. 2, Table 1, Fig. 4) '
        'and write them up from those runs.')
    p.add_argument('--dataset', choices=sorted(PRESETS), default='mini_voc')
    p.add_argument('--ann-config', help='ANN twin config (preset default)')
    p.add_argument('--ann-checkpoint', help='its trained weights (default:'
                   " --snn-config's load_from); trained with --ann-config "
                   'first when the file is missing')
    p.add_argument('--snn-config', help='SNN config the SG runs start from')
    p.add_argument('--data-root', help='data_root of every data set')
    p.add_argument('--seeds', type=int, nargs='+', help='default 0 1 2')
    p.add_argument('--threshold-seeds', type=int, nargs='+',
                   help='seeds of the learnable-threshold ablation '
                   '(default: --seeds)')
    p.add_argument('--epochs', type=int, help='SG schedule (preset default)')
    p.add_argument('--conversion-steps', type=int, nargs='+',
                   help=f'T sweep of the conversion (default {DEFAULT_SWEEP})')
    p.add_argument('--calib-images', type=int, default=64)
    p.add_argument('--energy-images', type=int, default=20,
                   help='test images for op counting')
    p.add_argument('--hardware', default=None,
                   help='what it ran on, for the write-up')
    p.add_argument('--work-dir', default='work_dirs/paper_comparisons')
    p.add_argument('--out', default='docs/paper_comparisons.md')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs in parallel, each in its own process')
    p.add_argument('--task', help=argparse.SUPPRESS)  # one run (--jobs)
    p.add_argument('--smoke', action='store_true',
                   help='tiny schedule to exercise the pipeline (tests)')
    p.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                   help='overrides for every config (ANN and SNN runs)')
    args = p.parse_args(argv)
    preset = PRESETS[args.dataset]
    for key in ('ann_config', 'snn_config', 'epochs'):
        if getattr(args, key) is None:
            setattr(args, key, preset[key])
    if args.ann_checkpoint is None:
        args.ann_checkpoint = config_twin(args.snn_config, p.error)
    args.dataset_name = preset['name'] if not args.smoke else (
        f'{preset["name"]}, smoke run')
    if args.smoke:
        args.seeds = args.seeds or [0]
        args.epochs = 1
        args.conversion_steps = args.conversion_steps or [2, 4]
        args.calib_images = min(args.calib_images, 2)
        args.energy_images = min(args.energy_images, 1)
    args.seeds = args.seeds or [0, 1, 2]
    args.threshold_seeds = args.threshold_seeds or args.seeds
    if args.jobs < 1:
        p.error(f'--jobs must be at least 1, got {args.jobs}')
    args.conversion_steps = sorted(set(args.conversion_steps or
                                       DEFAULT_SWEEP))
    return args


# ---------------------------------------------------------------- configs
def set_data_root(cfg: Config, root: str) -> None:
    """Point every data set and evaluator annotation path of ``cfg`` at
    ``root``, wherever the config nests them."""
    def walk(node):
        if isinstance(node, dict):
            if 'data_root' in node:
                node['data_root'] = root
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            walk(cfg[key])


class PlainConfig(Config):
    """A Config whose text is ``key = repr(value)`` lines.

    mmengine's runner pretty-prints its config with yapf three times at
    start (log, dump, visualizer) and once per checkpoint, about 2 s each
    on a 2-core CPU: more than a smoke run's training. The text stays a
    valid Python config.
    """

    @property
    def pretty_text(self) -> str:
        return '\n'.join(f'{k} = {v!r}' for k, v in self.to_dict().items())


def load_cfg(path: str, args, work_dir: str) -> Config:
    cfg = Config.fromfile(from_here_or_repo(path))
    cfg = PlainConfig(cfg.to_dict(), filename=cfg.filename)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.data_root:
        set_data_root(cfg, args.data_root)
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{osp.basename(work_dir)}_{time.time_ns()}'
    return cfg


def sg_run_config(args, variant: dict, seed: int, work_dir: str) -> Config:
    """The SNN config of one SG run."""
    cfg = load_cfg(args.snn_config, args, work_dir)
    cfg.model.time_steps = variant['time_steps']
    cfg.model.bbox_head.decode_mode = variant['decode_mode']
    if variant.get('learnable_threshold'):
        for part in ('backbone', 'neck', 'bbox_head'):
            cfg.model[part].neuron_cfg = dict(
                cfg.model[part].get('neuron_cfg', DEFAULT_NEURON_CFG),
                learnable_threshold=True)
        base_decay = cfg.optim_wrapper.optimizer.get('weight_decay', 0.)
        keys = dict(cfg.optim_wrapper.get('paramwise_cfg', {}).get(
            'custom_keys', {}))
        keys['v_threshold'] = (dict(decay_mult=THRESHOLD_DECAY / base_decay)
                               if base_decay else dict(decay_mult=0.))
        cfg.optim_wrapper.paramwise_cfg = dict(
            cfg.optim_wrapper.get('paramwise_cfg', {}), custom_keys=keys)
        if not base_decay:
            raise InputError(f'{args.snn_config}: the learnable-threshold run '
                             'needs an optimizer weight_decay to scale')
    cfg.load_from = args.ann_checkpoint
    cfg.randomness = dict(seed=seed, deterministic=False)
    if args.epochs:
        cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = 1  # the Fig. 2 curve
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=cfg.train_cfg.max_epochs,
        max_keep_ckpts=1)
    return cfg


class ValRecorder(Hook):
    """Keeps every validation's metrics with its epoch."""

    def __init__(self) -> None:
        self.history = []

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.history.append(dict(epoch=runner.epoch, metrics={
            k: float(v) for k, v in (metrics or {}).items()}))


def headline(metrics: dict) -> float:
    """The detection mAP@0.5 of an evaluator's metrics (VOCMetric's
    ``pascal_voc/mAP`` or CocoMetric's ``coco/bbox_mAP_50``)."""
    for key in ('pascal_voc/mAP', 'coco/bbox_mAP_50'):
        if key in metrics:
            return float(metrics[key])
    raise InputError(f'no mAP@0.5 among the metrics {sorted(metrics)}: the '
                     'evaluator must be VOCMetric or CocoMetric')


def protocol(cfg: Config) -> str:
    ev = cfg.test_evaluator
    ev = ev[0] if isinstance(ev, (list, tuple)) else ev
    if ev.get('type') == 'VOCMetric':
        return (f"VOC mAP@0.5 ({ev.get('eval_mode', '11points')}, "
                'VOCMetric)')
    return f"{ev.get('type')} AP@0.5"


# ------------------------------------------------------------------ runs
def count_ops(model, cfg: Config, num_images: int) -> dict:
    """Per-image MACs / SOPs / energies of a trained model on test images."""
    from mmengine.runner import Runner
    loader_cfg = copy.deepcopy(cfg.test_dataloader)
    loader_cfg.batch_size = 1
    loader = Runner.build_dataloader(loader_cfg)
    analyzer = SpikeOpAnalyzer(model.eval())
    for i, batch in enumerate(loader):
        if i >= num_images:
            break
        data = model.data_preprocessor(batch, False)
        analyzer.forward(data['inputs'], data['data_samples'])
    rep = analyzer.report()
    chip = rep.get('chip') or {}
    return dict(time_steps=rep['time_steps'],
                macs_per_step=rep['totals']['macs_per_step'],
                real_macs=rep['totals']['real_macs'],
                sops=rep['totals']['sops'],
                energy_45nm_j=rep['totals']['snn_energy_j'],
                ann_energy_45nm_j=rep['totals']['ann_energy_j'],
                chip_flops_per_step=chip.get('flops_per_step'),
                chip_energy_j=chip.get('energy_j'),
                mean_firing_rate=(rep.get('firing_rates') or {}).get('mean'),
                images=rep['num_images'])


def run_training(cfg: Config) -> tuple:
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    recorder = ValRecorder()
    runner.register_hook(recorder, priority='LOWEST')
    start = time.time()
    runner.train()
    return runner, recorder.history, time.time() - start


def ensure_ann(args, log) -> dict:
    """Test (and first train, if its checkpoint is missing) the ANN twin."""
    from mmengine.runner import Runner
    work = osp.join(args.work_dir, 'ann_twin')
    trained = None
    if not osp.isfile(args.ann_checkpoint):
        log(f'{args.ann_checkpoint} missing: training the ANN twin '
            f'({args.ann_config})')
        cfg = load_cfg(args.ann_config, args, work)
        if args.smoke:
            cfg.train_cfg.max_epochs = 1
            cfg.train_cfg.val_interval = 2
            cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                                interval=1)
        _, _, seconds = run_training(cfg)
        ckpt = osp.join(work, f'epoch_{cfg.train_cfg.max_epochs}.pth')
        os.makedirs(osp.dirname(osp.abspath(args.ann_checkpoint)),
                    exist_ok=True)
        import shutil
        shutil.copyfile(ckpt, args.ann_checkpoint)
        trained = dict(epochs=cfg.train_cfg.max_epochs, seconds=seconds)
    cfg = load_cfg(args.ann_config, args, work)
    cfg.load_from = args.ann_checkpoint
    runner = Runner.from_cfg(cfg)
    start = time.time()
    metrics = runner.test()
    seconds = time.time() - start
    ops = count_ops(runner.model, cfg, args.energy_images)
    return dict(config=args.ann_config, checkpoint=args.ann_checkpoint,
                trained_here=trained, metrics=dict(metrics),
                map=headline(metrics), ops=ops, test_seconds=seconds,
                protocol=protocol(cfg))


def sg_slug(label: str, seed: int) -> str:
    slug = label.replace('+', '').replace('=', '').replace(
        ', ', '_').replace(' ', '_').lower()
    return f'{slug}_seed{seed}'


def run_sg(args, label: str, seed: int) -> dict:
    """One SG run: train, with the curve of validations, then count ops."""
    cfg = sg_run_config(args, VARIANTS[label], seed,
                        osp.join(args.work_dir, sg_slug(label, seed)))
    runner, history, seconds = run_training(cfg)
    curve = [dict(epoch=h['epoch'], map=headline(h['metrics']))
             for h in history]
    ops = count_ops(runner.model, cfg, args.energy_images)
    return dict(seed=seed, curve=curve,
                best_map=max(c['map'] for c in curve),
                final_map=curve[-1]['map'], ops=ops, train_seconds=seconds)


def run_conversion(args) -> dict:
    cfg = load_cfg(args.ann_config, args,
                   osp.join(args.work_dir, 'spiking_yolo'))
    report = convert_and_evaluate(
        cfg, args.ann_checkpoint, args.conversion_steps,
        calib_images=args.calib_images, work_dir=cfg.work_dir)
    for r in report['results']:
        r['map'] = headline(r['metrics'])
    return report


# ----------------------------------------------------------------- tasks
def sg_tasks(args) -> dict:
    """Task name -> (label, seed) of every SG run, in VARIANTS' order."""
    return {sg_slug(label, seed): (label, seed)
            for label in VARIANTS
            for seed in (args.threshold_seeds if
                         VARIANTS[label].get('learnable_threshold') else
                         args.seeds)}


def task_settings(args, task: str) -> dict:
    """What defines a run's result: a stored result is reused only when
    these are unchanged (the ANN checkpoint by path, size and mtime)."""
    ckpt = args.ann_checkpoint
    stat = os.stat(ckpt) if osp.isfile(ckpt) else None
    out = dict(task=task, ann_config=args.ann_config, ann_checkpoint=ckpt,
               ann_checkpoint_file=(stat.st_size, stat.st_mtime_ns)
               if stat else None, cfg_options=args.cfg_options,
               data_root=args.data_root, smoke=args.smoke,
               energy_images=args.energy_images)
    if task == 'conversion':
        out.update(steps=args.conversion_steps, calib=args.calib_images)
    elif task != 'ann':
        out.update(snn_config=args.snn_config, epochs=args.epochs)
    return json.loads(json.dumps(out, default=str))


def result_path(args, task: str) -> str:
    return osp.join(args.work_dir, 'runs', f'{task}.json')


def stored_result(args, task: str):
    """The stored result of ``task``, or None when missing or stale."""
    try:
        with open(result_path(args, task)) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        return None
    if stored.get('settings') != task_settings(args, task):
        return None
    return stored['result']


def run_task(args, task: str, log) -> dict:
    """Run ``task`` in this process and store its result."""
    start = time.time()
    if task == 'ann':
        result = ensure_ann(args, log)
    elif task == 'conversion':
        log(f'Spiking-YOLO conversion at T = {args.conversion_steps}')
        result = run_conversion(args)
    else:
        label, seed = sg_tasks(args)[task]
        log(f'{label}, seed {seed}: {args.epochs} epochs')
        result = run_sg(args, label, seed)
    result['seconds'] = time.time() - start
    path = result_path(args, task)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(dict(settings=task_settings(args, task), result=result),
                  f, indent=2, default=float)
    os.replace(path + '.tmp', path)
    return result


def run_in_lanes(args, argv, tasks, log) -> None:
    """Run ``tasks`` (longest first) in ``args.jobs`` child processes of
    this tool (``--task``), each with its share of the CPU's threads."""
    import subprocess
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    env.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # no spinning beside a lane
    log_dir = osp.join(args.work_dir, 'logs')
    os.makedirs(log_dir, exist_ok=True)
    pending, running, failed = list(tasks), {}, []
    try:
        while pending or running:
            while pending and len(running) < args.jobs:
                task = pending.pop(0)
                log_file = open(osp.join(log_dir, f'{task}.log'), 'w')
                cmd = [sys.executable, osp.abspath(__file__), *argv,
                       '--task', task]
                running[task] = (subprocess.Popen(
                    cmd, stdout=log_file, stderr=subprocess.STDOUT,
                    env=env), log_file)
                log(f'started {task} ({threads} thread(s); log '
                    f'{log_file.name})')
            time.sleep(1.)
            for task, (proc, log_file) in list(running.items()):
                if proc.poll() is None:
                    continue
                log_file.close()
                del running[task]
                if proc.returncode:
                    failed.append(task)
                    log(f'{task} FAILED (exit {proc.returncode}): see '
                        f'{log_file.name}')
                else:
                    log(f'finished {task}')
    finally:
        # stopped (Ctrl-C): no lane trains on, orphaned; finished runs stay
        # stored for the next invocation
        for proc, log_file in running.values():
            proc.terminate()
            proc.wait()
            log_file.close()
    if failed:
        raise RuntimeError(
            f'{len(failed)} run(s) failed: {failed}; their logs are in '
            f'{log_dir}. Runs that finished are stored in '
            f'{osp.join(args.work_dir, "runs")} and are reused by the next '
            'invocation with the same arguments.')


# ---------------------------------------------------------------- report
def mean_std(values):
    values = list(values)
    if len(values) == 1:
        return values[0], 0.
    return statistics.mean(values), statistics.stdev(values)


def fmt_map(values) -> str:
    values = list(values)
    m, s = mean_std(values)
    return f'{100 * m:.2f} ± {100 * s:.2f}' if len(values) > 1 else \
        f'{100 * m:.2f}'


def sg_summary(sg: dict) -> dict:
    """Per variant: best mAPs over seeds, mean ops."""
    out = {}
    for label, entry in sg.items():
        runs = entry['runs']
        ops = {k: statistics.mean(r['ops'][k] for r in runs)
               for k in ('macs_per_step', 'real_macs', 'sops',
                         'energy_45nm_j', 'ann_energy_45nm_j')}
        chip = [r['ops']['chip_energy_j'] for r in runs
                if r['ops']['chip_energy_j'] is not None]
        ops['chip_energy_j'] = statistics.mean(chip) if chip else None
        out[label] = dict(best=[r['best_map'] for r in runs],
                          time_steps=entry['variant']['time_steps'], ops=ops)
    return out


def claims(summary: dict, conversion: dict) -> list:
    """The paper's claims, each with whether it holds here and why."""
    def m(label):
        return mean_std(summary[label]['best'])

    out = []
    (c6, s6), (r6, sr) = m('SG+CMD T=6'), m('SG+rate T=6')
    out.append(dict(
        claim='CMD beats rate decoding (T=6)', holds=c6 > r6,
        numbers=f'SG+CMD T=6 best mAP {100 * c6:.2f} ± {100 * s6:.2f} vs '
        f'SG+rate T=6 {100 * r6:.2f} ± {100 * sr:.2f}' +
        ('' if abs(c6 - r6) > s6 + sr else
         ' (the gap is within one spread of each)')))
    c4, s4 = m('SG+CMD T=4')
    out.append(dict(
        claim='T=6 is at least as good as T=4 (CMD)', holds=c6 >= c4,
        numbers=f'T=6 {100 * c6:.2f} ± {100 * s6:.2f} vs T=4 '
        f'{100 * c4:.2f} ± {100 * s4:.2f}' +
        ('' if abs(c6 - c4) > s6 + s4 else
         ' (the gap is within one spread of each)')))
    best_label = max(('SG+CMD T=4', 'SG+CMD T=6'), key=lambda k: m(k)[0])
    sg_map = m(best_label)[0]
    sg_e = summary[best_label]['ops']['energy_45nm_j']
    long_runs = [r for r in conversion['results'] if r['time_steps'] >= 100]
    rows = long_runs or conversion['results'][-1:]
    beaten = all(sg_map >= r['map'] for r in rows)
    cheaper = all(sg_e < r['energy_45nm_j'] for r in rows)
    detail = '; '.join(
        f"T={r['time_steps']}: {100 * r['map']:.2f} mAP, "
        f"{r['energy_45nm_j'] * 1e6:.3g} uJ" for r in rows)
    parts = [('its mAP is at least the conversion\'s' if beaten else
              'the conversion scores higher') + ' at every T listed',
             'it uses less energy than each' if cheaper else
             'it does not use less energy than each']
    # where the conversion spends about the SG run's energy: the fair
    # comparison at equal cost, stated beside the claim (not part of it)
    same_cost = next((r for r in conversion['results']
                      if r['energy_45nm_j'] >= sg_e), None)
    note = None if same_cost is None else (
        f"the conversion's first T that spends at least that energy (T="
        f"{same_cost['time_steps']}, {same_cost['energy_45nm_j'] * 1e6:.3g}"
        f" uJ) scores {100 * same_cost['map']:.2f} mAP")
    out.append(dict(
        claim='SG+CMD at T<=6 matches or beats the conversion at hundreds '
        'to thousands of steps, at a fraction of the energy',
        holds=beaten and cheaper,
        numbers=f'{best_label}: {100 * sg_map:.2f} mAP, {sg_e * 1e6:.3g} uJ '
        f'(45 nm) vs conversion {detail}' +
        ('' if long_runs else ' (no T >= 100 in this sweep)') +
        f'; {parts[0]}, and {parts[1]}',
        note=note))
    return out


def plot_fig2(sg: dict, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for label in FIG2:
        runs = sg[label]['runs']
        epochs = [c['epoch'] for c in runs[0]['curve']]
        per_epoch = list(zip(*[[c['map'] * 100 for c in r['curve']]
                               for r in runs]))
        mean = [statistics.mean(v) for v in per_epoch]
        ax.plot(epochs, mean, marker='o', label=label)
        ax.fill_between(epochs, [min(v) for v in per_epoch],
                        [max(v) for v in per_epoch], alpha=0.2)
    ax.set_xticks(epochs)
    ax.set_xlabel('epoch')
    ax.set_ylabel('mAP@0.5 (%)')
    ax.set_title('mAP vs epoch (mean, band: min-max over seeds)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_fig4(rows: list, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    labels = [r['label'] for r in rows]
    mac = [r['real_macs'] * E_MAC_45NM * 1e6 for r in rows]
    ac = [r['sops'] * E_AC_45NM * 1e6 for r in rows]
    ax.bar(labels, mac, label='MAC energy (4.6 pJ)')
    ax.bar(labels, ac, bottom=mac, label='AC energy (0.9 pJ)')
    ax.set_yscale('log')
    # down to the smallest part, so every stack shows both (log axis)
    ax.set_ylim(bottom=0.5 * min(v for v in mac + ac if v > 0))
    ax.set_ylabel('energy per image (uJ, 45 nm)')
    ax.set_title('MAC vs AC energy per image')
    ax.legend()
    plt.setp(ax.get_xticklabels(), rotation=30, ha='right')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def energy_rows(ann: dict, summary: dict, conversion: dict) -> list:
    rows = [dict(label='ANN twin', mAP=f"{100 * ann['map']:.2f}", T='-',
                 macs_per_step=ann['ops']['macs_per_step'],
                 real_macs=ann['ops']['macs_per_step'], sops=0.,
                 energy=ann['ops']['ann_energy_45nm_j'], chip=None)]
    for label, s in summary.items():
        rows.append(dict(label=label, mAP=fmt_map(s['best']),
                         T=s['time_steps'], **{
                             k: s['ops'][k]
                             for k in ('macs_per_step', 'real_macs', 'sops')
                         }, energy=s['ops']['energy_45nm_j'],
                         chip=s['ops']['chip_energy_j']))
    for r in conversion['results']:
        rows.append(dict(label=f"Spiking-YOLO T={r['time_steps']}",
                         mAP=f"{100 * r['map']:.2f}", T=r['time_steps'],
                         macs_per_step=r['macs_per_step'],
                         real_macs=r['real_macs'], sops=r['sops'],
                         energy=r['energy_45nm_j'], chip=r['chip_energy_j']))
    return rows


def write_report(results: dict, out: str) -> None:
    ann, sg, conv = results['ann'], results['sg'], results['conversion']
    meta = results['meta']
    summary = sg_summary(sg)
    out_dir = osp.dirname(osp.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(out))[0]
    fig2, fig4 = f'{stem}_fig2.png', f'{stem}_fig4.png'
    plot_fig2(sg, osp.join(out_dir, fig2))
    rows = energy_rows(ann, summary, conv)
    plot_fig4(rows, osp.join(out_dir, fig4))
    eff = conv['chip_efficiency_flops_per_w'] / 1e9
    cost = meta['sg_seconds'] + conv['seconds'] + ann['seconds']
    lines = [
        '# The paper\'s comparisons, reproduced',
        '',
        'Written by `tools/analysis_tools/paper_comparisons.py`; every '
        'number below is from the runs it made and stored in '
        f'`{meta["work_dir"]}/runs/` (a run is reused only by an invocation '
        'with the same settings); all of them together are in '
        f'[{stem}.json]({stem}.json), a copy of '
        f'`{meta["work_dir"]}/results.json`.',
        '',
        f'- data set: {meta["dataset"]}; protocol: {ann["protocol"]} on '
        'its test split',
        f'- hardware: {meta["hardware"]}',
        f'- seeds of the SG runs: {meta["seeds"]} (learnable threshold: '
        f'{meta["threshold_seeds"]}); schedule: '
        f'{meta["epochs"]} epochs each from the ANN twin '
        f'(`{meta["ann_checkpoint"]}`), config `{meta["snn_config"]}`',
        f'- command: `{meta["command"]}`',
        f'- cost: {cost / 3600:.2f} h of runs, each in one process '
        f'(SG runs {meta["sg_seconds"] / 3600:.2f} h, conversion '
        f'{conv["seconds"] / 3600:.2f} h, ANN twin {ann["seconds"] / 60:.1f}'
        f' min); run {meta["jobs"]} at a time',
        f'- energy: per image over {ann["ops"]["images"]} test images; '
        '45 nm = real-valued MACs x 4.6 pJ + SOPs x 0.9 pJ; chip model = '
        f'SOPs/T x T x 1 ms / {eff:g} GFLOPs/W (the paper\'s Table 1 '
        'formula)',
        '',
        '## Fig. 2: decoding and time steps',
        '',
        f'![mAP against epoch]({fig2})',
        '',
        '| run | T | best mAP (%) | per seed | final mAP (%) | '
        'mAP by epoch (%, mean) |',
        '| --- | --- | --- | --- | --- | --- |',
    ]
    for label, entry in sg.items():
        runs = entry['runs']
        by_epoch = [statistics.mean(c['map'] for c in epoch)
                    for epoch in zip(*[r['curve'] for r in runs])]
        lines.append(
            f"| {label} | {entry['variant']['time_steps']} | "
            f"{fmt_map(r['best_map'] for r in runs)} | "
            + ', '.join(f"{100 * r['best_map']:.2f}" for r in runs) +
            f" | {fmt_map(r['final_map'] for r in runs)} | "
            + ', '.join(f'{100 * m:.2f}' for m in by_epoch) + ' |')
    lines += [
        '',
        'mean ± standard deviation over seeds; the learnable threshold '
        f'(weight decay {THRESHOLD_DECAY:g} on the thresholds) is the '
        'ablation.',
        '',
    ]
    if any(v['decode_mode'] == 'rate' for v in
           (e['variant'] for e in sg.values())):
        lines += [
            'Rate decoding reads the firing rate of neurons driven by the '
            'prediction currents, as the paper describes it: outputs in '
            '[0, 1], in steps of 1/T. A YOLOv3 head\'s objectness and class '
            'logits then never go below 0 (sigmoid at least 0.5 at every '
            'anchor, so the background\'s objectness loss cannot fall below '
            'log 2 per anchor) and its log box sizes never below 0 (no box '
            'smaller than its anchor). The paper does not say how it maps '
            'rates to outputs.',
            '',
        ]
    lines += [
        '## Table 1: surrogate gradients against conversion',
        '',
        '| method | mAP (%) | T | MACs/step (G) | real-valued MACs (G) | '
        'SOPs (G) | 45 nm energy (uJ) | chip energy (uJ) |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ]
    for r in rows:
        chip = '-' if r['chip'] is None else f"{r['chip'] * 1e6:.4g}"
        lines.append(
            f"| {r['label']} | {r['mAP']} | {r['T']} | "
            f"{r['macs_per_step'] / 1e9:.4g} | {r['real_macs'] / 1e9:.4g} | "
            f"{r['sops'] / 1e9:.4g} | {r['energy'] * 1e6:.4g} | {chip} |")
    lines += [
        '',
        'SG rows: mean over seeds of the best epoch\'s mAP, ops of the final '
        'models. Conversion: calibrated on '
        f'{conv["calib_images"]} training images at the '
        f'{conv["percentile"]:g}th percentile, one simulation recorded at '
        'each T.',
        '',
        '## Fig. 4: MAC and AC energy',
        '',
        f'![MAC vs AC energy]({fig4})',
        '',
        '## The paper\'s claims on this data',
        '',
    ]
    for c in claims(summary, conv):
        lines.append(f"- **{c['claim']}**: "
                     f"{'holds' if c['holds'] else 'does not hold'} "
                     f"({c['numbers']})." +
                     (f" Beside the claim: {c['note']}." if c.get('note')
                      else ''))
    lines.append('')
    with open(out, 'w') as f:
        f.write('\n'.join(lines))


def hardware_string(args) -> str:
    if args.hardware:
        return args.hardware
    dev = (torch.cuda.get_device_name(0) if torch.cuda.is_available() else
           f'{os.cpu_count()}-core CPU ({platform.processor() or "?"})')
    return f'{dev}, torch {torch.__version__} (not stated by the user)'


def task_cost(label: str) -> float:
    """Relative cost, to start the longest runs first."""
    if label == 'conversion':
        return 1e9
    return VARIANTS[label]['time_steps']


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    init_default_scope('mmdet')
    os.makedirs(args.work_dir, exist_ok=True)

    start = time.time()

    def log(msg):
        print(f'[paper_comparisons {time.time() - start:.0f} s] {msg}',
              flush=True)

    with report_input_errors():
        if args.task:  # one run, in a lane of a parent invocation
            run_task(args, args.task, log)
            return None
        # first, in this process: the SG runs start from the twin, which
        # may need training
        ann = stored_result(args, 'ann') or run_task(args, 'ann', log)
        labels = {t: label for t, (label, _) in sg_tasks(args).items()}
        labels['conversion'] = 'conversion'
        todo = [t for t in labels if stored_result(args, t) is None]
        log(f'{len(labels) - len(todo)} of {len(labels)} runs stored; '
            f'running {todo}')
        if args.jobs > 1 and len(todo) > 1:
            todo.sort(key=lambda t: -task_cost(labels[t]))
            run_in_lanes(args, argv, todo, log)
        else:
            for task in todo:
                run_task(args, task, log)
        sg = {label: dict(variant=variant, runs=[])
              for label, variant in VARIANTS.items()}
        for task, (label, _) in sg_tasks(args).items():
            sg[label]['runs'].append(stored_result(args, task))
        conversion = stored_result(args, 'conversion')
    results = dict(
        meta=dict(dataset=args.dataset_name, hardware=hardware_string(args),
                  seeds=args.seeds, threshold_seeds=args.threshold_seeds,
                  epochs=args.epochs, ann_checkpoint=args.ann_checkpoint,
                  snn_config=args.snn_config, work_dir=args.work_dir,
                  jobs=args.jobs,
                  command='python tools/analysis_tools/paper_comparisons.py '
                  + ' '.join(argv),
                  sg_seconds=sum(r['seconds'] for e in sg.values()
                                 for r in e['runs']),
                  chip_step_time_s=CHIP_STEP_TIME,
                  chip_efficiency_flops_per_w=TABLE1_EFFICIENCY),
        ann=ann, sg=sg, conversion=conversion)
    # the numbers beside the write-up too, which may be kept (docs/)
    # where the work dir is not
    beside = osp.splitext(args.out)[0] + '.json'
    for path in (osp.join(args.work_dir, 'results.json'), beside):
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(results, f, indent=2, default=float)
    write_report(results, args.out)
    log(f'wrote {args.out}, {beside} and '
        f'{osp.join(args.work_dir, "results.json")}')
    return results


if __name__ == '__main__':
    main()
