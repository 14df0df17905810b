"""Make the model-zoo runs and write their metafiles (developers' script).

Every number in the mini data sets' model-zoo tables comes from files this
script's runs leave behind, read by the user tool
``tools/analysis_tools/benchmark_table.py`` into the family's metafile (the
results file the tables are written from: ``.dev_scripts/gen_docs.py``)::

    python .dev_scripts/model_zoo.py run ENTRY [--cfg-options K=V ...]
    python .dev_scripts/model_zoo.py table FAMILY --hardware "2-core ..."
    python .dev_scripts/model_zoo.py compare [ENTRY ... | --all] [--seeds ...]

``run`` trains the entry's config into its work dir with ``tools/train.py``
(skipped when the work dir already holds the final checkpoint, and for the
published ANN twin, which is tested as it is), tests that
checkpoint with ``tools/test.py`` and counts its operations and energy on
``--energy-images`` test images with ``tools/analysis_tools/get_energy.py``.
``table`` writes the family's metafile from the newest train log, test
JSON and energy JSON of each entry's work dir (an entry without them has
no such numbers: nothing is filled in by hand), with each ``--note`` (say
where and how the run ran); then ``python .dev_scripts/gen_docs.py`` writes
the tables of the family's README and of docs/model_zoo.md from it.

The main job's runs (``.dev_scripts/main_job_seeds.sh``) are entries too:
their work dirs are the seed runs' (``work_dirs/seeds/seed0/...``).

``compare`` makes the runs of the comparison table of docs/model_zoo.md
(the SNN detectors and their ANN twins on mini-VOC and mini-Gen1, mean and
spread over seeds): for each ENTRY and ``--seeds`` it trains with
``tools/train.py`` (``randomness.seed=S``, ``OMP_NUM_THREADS=--threads``)
into ``work_dirs/comparison/ENTRY/seedS``, tests with ``tools/test.py``,
counts energy and firing rates on ``--energy-images`` test images with
``get_energy.py``, and records the run (seed, machine, commit, settings
digest, mAP, train time, energy, firing rates) in the results file
(``docs/model_zoo_comparison.json``), whose rows it writes from
:data:`COMPARISON`. A work dir that holds a finished training is tested and
recorded again without training. Without ENTRY it only writes the rows.
``.dev_scripts/gen_docs.py`` then writes the table from that file.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
ZOO = 'work_dirs/zoo'
COMPARISON_RESULTS = 'docs/model_zoo_comparison.json'
BUDGET = ('about 10 minutes of SNN training per run, as the main job\'s '
          'SNN step (4 epochs of mini-VOC), in one process at 2 threads '
          '(OMP_NUM_THREADS=2, AVX2 kernels, as the main job) on a 2-core '
          'CPU: each row trains the epochs that fit it')


def published_twin():
    """The published mini-VOC ANN twin: the SNN configs' ``load_from``."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(
        REPO, 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'
    )).load_from


#: name -> config, work dir, row label, what its ``run`` adds to the
#: config (``cfg_options``) and, for an entry that is not trained here, a
#: function giving the checkpoint it tests (``checkpoint``).
ENTRIES = {
    'yolov3_minivoc': dict(
        config='configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py',
        work_dir='work_dirs/seeds/seed0/yolov3_minivoc',
        name='YOLOv3 (ANN twin, published)',
        checkpoint=published_twin),
    'snn_yolov3_minivoc_t4': dict(
        config='configs/mini_voc/'
        'snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py',
        work_dir='work_dirs/seeds/seed0/snn_yolov3_minivoc_t4',
        name='SNN-YOLOv3, IF (from the ANN twin)'),
    'snn_yolov3_lif_minivoc_t4': dict(
        config='configs/mini_voc/'
        'snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py',
        name='SNN-YOLOv3, LIF (from the ANN twin)'),
    'retinanet_snn-r18_snn-fpn_cmd_minivoc_t4': dict(
        config='configs/mini_voc/'
        'retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py',
        name='RetinaNet: spiking R-18 + FPN, CMD head (from scratch)'),
    'yolov3_minigen1': dict(
        config='configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py',
        name='YOLOv3 (ANN twin, bins as channels)'),
    'snn_yolov3_minigen1_t4': dict(
        config='configs/events/'
        'snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py',
        name='SNN-YOLOv3, IF (from scratch)'),
    'snn_yolov3_minigen1_t4_lif': dict(
        config='configs/events/'
        'snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4_lif.py',
        name='SNN-YOLOv3, LIF (from scratch)'),
    'ems-yolo_minivoc_t4': dict(
        config='configs/ems_yolo/'
        'ems-yolo_res10-ee-mini_1xb8-160-4e_minivoc_t4.py',
        name='EMS-YOLO, EMS-Res10 x0.25'),
    'ems-yolo_minigen1_t4': dict(
        config='configs/ems_yolo/'
        'ems-yolo_res10-ee-mini_1xb8-192-10e_minigen1_t4.py',
        name='EMS-YOLO, EMS-Res10 x0.25'),
    # SpikeYOLO counted as deployed (RepConv blocks folded), as its
    # authors count it.
    'spikeyolo_minivoc_t1d4': dict(
        config='configs/spikeyolo/'
        'spikeyolo_s-mini_1xb8-160-2e_minivoc_t1d4.py',
        name='SpikeYOLO-s x1/8',
        energy_options=['--reparameterize']),
    'spikeyolo_minigen1_t2d4': dict(
        config='configs/spikeyolo/'
        'spikeyolo_s-mini_1xb8-192-3e_minigen1_t2d4.py',
        name='SpikeYOLO-s x1/8',
        energy_options=['--reparameterize']),
}
MINI_VOC, MINI_GEN1 = 'mini-VOC (synthetic)', 'mini-Gen1 (synthetic)'
# The mini-Gen1 SNN-YOLOv3's 10 epochs exceed the budget (a step costs about
# 1.6 of the main job SNN's, an epoch has a third of its steps): 8 fit it,
# and its ANN twin trains as long, as their configs pair them.
EIGHT_EPOCHS = {'train_cfg.max_epochs': 8, 'train_cfg.val_interval': 8,
                'default_hooks.checkpoint.interval': 8}
#: The comparison table's rows, in order: (entry, data set, label, and
#: comparison_row's other arguments). The main job's rows are its published
#: runs (configs/mini_voc/results.json), not made here.
COMPARISON = [
    ('yolov3_minivoc', MINI_VOC, 'YOLOv3 (ANN twin)',
     dict(main_job='ann_twin', init='the published checkpoint')),
    ('snn_yolov3_minivoc_t4', MINI_VOC, 'SNN-YOLOv3',
     dict(main_job='snn')),
    ('snn_yolov3_lif_minivoc_t4', MINI_VOC, 'SNN-YOLOv3', {}),
    ('ems-yolo_minivoc_t4', MINI_VOC, 'EMS-YOLO, EMS-Res10 x0.25', {}),
    ('spikeyolo_minivoc_t1d4', MINI_VOC, 'SpikeYOLO-s x1/8', {}),
    ('yolov3_minigen1', MINI_GEN1, 'YOLOv3 (ANN twin, bins as channels)',
     dict(cfg_options=EIGHT_EPOCHS)),
    ('snn_yolov3_minigen1_t4', MINI_GEN1, 'SNN-YOLOv3',
     dict(cfg_options=EIGHT_EPOCHS)),
    ('snn_yolov3_minigen1_t4_lif', MINI_GEN1, 'SNN-YOLOv3',
     dict(cfg_options=EIGHT_EPOCHS)),
    ('ems-yolo_minigen1_t4', MINI_GEN1, 'EMS-YOLO, EMS-Res10 x0.25', {}),
    ('spikeyolo_minigen1_t2d4', MINI_GEN1, 'SpikeYOLO-s x1/8', {}),
]
FAMILIES = {
    'mini_voc': dict(
        entries=['yolov3_minivoc', 'snn_yolov3_minivoc_t4',
                 'snn_yolov3_lif_minivoc_t4',
                 'retinanet_snn-r18_snn-fpn_cmd_minivoc_t4'],
        readme='configs/mini_voc/README.md',
        metafile='configs/mini_voc/metafile.yml',
        collection='SNN-YOLOv3 (mini-VOC)',
        dataset='mini-VOC test (synthetic)'),
    'mini_gen1': dict(
        entries=['yolov3_minigen1', 'snn_yolov3_minigen1_t4',
                 'snn_yolov3_minigen1_t4_lif'],
        readme='configs/events/README.md',
        metafile='configs/events/metafile.yml',
        collection='SNN-YOLOv3 (mini-Gen1)',
        dataset='mini-Gen1 test (synthetic)'),
}


def work_dir(entry, seed=0):
    """Seed 0's work dir is the table's; other seeds' get a suffix."""
    base = ENTRIES[entry].get('work_dir') or osp.join(ZOO, entry)
    return base if seed == 0 else f'{base}_seed{seed}'


def family_of(entry):
    return next(f for f, spec in FAMILIES.items() if entry in spec['entries'])


def newest(pattern):
    """The newest file matching ``pattern`` (None when none does)."""
    files = sorted(glob.glob(pattern), key=osp.getmtime)
    return files[-1] if files else None


def final_checkpoint(wd):
    """The checkpoint ``last_checkpoint`` of work dir ``wd`` names, if
    training finished."""
    path = osp.join(wd, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        checkpoint = f.read().strip()
    return checkpoint if osp.isfile(checkpoint) else None


def call(*args, env=None):
    print('[model_zoo]', ' '.join(args), file=sys.stderr, flush=True)
    subprocess.run([sys.executable, *args], cwd=REPO, check=True, env=env)


def run(entry, cfg_options, energy_images, seed=0):
    spec = ENTRIES[entry]
    config, wd = spec['config'], work_dir(entry, seed)
    options = spec.get('cfg_options', []) + (cfg_options or [])
    if seed:
        options.append(f'randomness.seed={seed}')
    opts = ['--cfg-options', *options] if options else []
    published = spec.get('checkpoint')
    checkpoint = published() if published else final_checkpoint(wd)
    if checkpoint is None:
        call('tools/train.py', config, '--work-dir', wd, *opts)
        checkpoint = final_checkpoint(wd)
    call('tools/test.py', config, checkpoint, '--work-dir',
         osp.join(wd, 'test'))
    call('tools/analysis_tools/get_energy.py', config, checkpoint,
         '--num-images', str(energy_images), '--out-dir',
         osp.join(wd, 'energy'), *spec.get('energy_options', []))


def run_files(entry):
    """``KEY=VALUE`` items of benchmark_table's ``--run`` for one entry."""
    spec, wd = ENTRIES[entry], work_dir(entry)
    items = [f"config={spec['config']}", f"name={spec['name']}",
             f"dataset={FAMILIES[family_of(entry)]['dataset']}"]
    found = dict(
        metrics=newest(osp.join(wd, 'test', '*', '*.json')),
        energy=newest(osp.join(wd, 'energy', 'energy.json')),
        train_log=newest(osp.join(wd, '2*', '2*.log')))
    return items + [f'{k}={v}' for k, v in found.items() if v]


def table(family, hardware, notes):
    spec = FAMILIES[family]
    args = [arg for entry in spec['entries']
            for arg in ['--run', *run_files(entry),
                        *([f'note={notes[entry]}'] if entry in notes
                          else [])]]
    call('tools/analysis_tools/benchmark_table.py', *args, '--hardware',
         hardware, '--metafile', spec['metafile'], '--collection',
         spec['collection'], '--readme', spec['readme'])
    print(f"[model_zoo] wrote {spec['metafile']}; the family's README "
          'takes its table from it: python .dev_scripts/gen_docs.py',
          file=sys.stderr)


def git(*args):
    return subprocess.run(['git', *args], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout.strip()


def code_commit(results):
    """The checkout's commit, ``-dirty`` when a file other than the
    ``results`` file (which the runs write) differs from it."""
    exclude = f':(exclude){osp.relpath(osp.abspath(results), REPO)}'
    changed = git('status', '--porcelain', '--untracked-files=no', '--',
                  '.', exclude)
    return git('describe', '--always') + ('-dirty' if changed else '')


def this_machine(env):
    """``'<CPU model>, <n> cores[, AVX2 kernels]'`` of this machine."""
    name = 'CPU'
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    name = line.split(':', 1)[1].strip()
                    break
    kernels = ', AVX2 kernels' if env.get('ATEN_CPU_CAPABILITY') else ''
    return f'{name}, {os.cpu_count()} cores{kernels}'


def kernel_env(threads):
    """The environment of the runs: ``threads`` OpenMP threads and, on a
    CPU with AVX2, AVX2 kernels, as tools/run_main_job.sh pins them (the
    main job's rows ran so)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with open('/proc/cpuinfo') as f:
        if ' avx2' in f.read():
            for key, value in (('ATEN_CPU_CAPABILITY', 'avx2'),
                               ('ONEDNN_MAX_CPU_ISA', 'AVX2'),
                               ('MKL_CBWR', 'AVX2')):
                env.setdefault(key, value)
    return env


def comparison_rows():
    from mmsnn.analysis.model_zoo import comparison_row
    return [comparison_row(entry, ENTRIES[entry]['config'], data, label,
                           **extra)
            for entry, data, label, extra in COMPARISON]


def write_comparison(path, results):
    with open(path, 'w') as f:
        json.dump(results, f, indent=1)
        f.write('\n')


def run_settings(config, cfg_options):
    """The settings digest of the config with ``cfg_options`` (``K=V``
    strings, as the tools take them), before the seed is set."""
    from mmengine.config import Config, DictAction

    from mmsnn.utils.config_digest import settings_digest
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        key: DictAction._parse_iterable(value) for key, value in
        (item.split('=', 1) for item in cfg_options)})
    return settings_digest(cfg)


def compare(entries, seeds, args):
    """Train, test and count each entry for each seed; record each run."""
    from mmsnn.analysis.model_zoo import add_run, run_record
    commit = code_commit(args.results)
    rows = {r['entry']: r for r in comparison_rows()}
    results = {
        'about': 'Runs of the comparison table of docs/model_zoo.md, one '
        'record per run, written by python .dev_scripts/model_zoo.py '
        'compare (edit nothing by hand): mAP as a fraction (VOC AP@0.5 '
        'with 11 points, or Gen1 COCO AP@[.5:.95] and map_50), training '
        'wall time in seconds from its log, energy per image (uJ, 45 nm) '
        'and mean firing rates (per time step; per binary step for '
        'integer spikes) from get_energy.py on energy_images test images, '
        'settings: the digest of the settings of what ran '
        '(mmsnn.utils.config_digest). A row takes the runs of its settings.',
        'budget': BUDGET, 'seeds': list(args.seeds),
        'energy_images': args.energy_images, 'rows': [], 'runs': []}
    if osp.isfile(args.results):
        with open(args.results) as f:
            results.update(json.load(f), budget=BUDGET,
                           energy_images=args.energy_images)
        # Seeds may be run one at a time: the file names all it holds.
        results['seeds'] = sorted(
            set(results['seeds']) | set(args.seeds))
    results['rows'] = list(rows.values())
    write_comparison(args.results, results)
    env = kernel_env(args.threads)
    options = args.cfg_options or []
    for entry in entries:
        row, spec = rows[entry], ENTRIES[entry]
        if row['main_job']:
            raise SystemExit(f'{entry}: its runs are the main job\'s '
                             '(.dev_scripts/main_job_seeds.sh)')
        row_options = [f'{k}={v}' for k, v in row['cfg_options'].items()]
        settings = run_settings(spec['config'], row_options + options)
        for seed in seeds:
            wd = osp.join(args.work_root, entry, f'seed{seed}')
            opts = row_options + options
            opts = ['--cfg-options', *opts] if opts else []
            if final_checkpoint(wd) is None:
                call('tools/train.py', spec['config'], '--work-dir', wd,
                     '--cfg-options', *row_options, *options,
                     f'randomness.seed={seed}', env=env)
            checkpoint = final_checkpoint(wd)
            call('tools/test.py', spec['config'], checkpoint, '--work-dir',
                 osp.join(wd, 'test'), *opts, env=env)
            call('tools/analysis_tools/get_energy.py', spec['config'],
                 checkpoint, '--num-images', str(args.energy_images),
                 '--out-dir', osp.join(wd, 'energy'),
                 *spec.get('energy_options', []), *opts, env=env)
            record = run_record(
                entry, seed, spec['config'], settings,
                newest(osp.join(wd, 'test', '*', '*.json')),
                osp.join(wd, 'energy', 'energy.json'),
                newest(osp.join(wd, '2*', '2*.log')),
                machine=args.machine or this_machine(env),
                threads=args.threads,
                commit=commit)
            results = add_run(results, record)
            write_comparison(args.results, results)
            print(f'[model_zoo] {entry} seed {seed}: recorded in '
                  f'{args.results}', file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p_run = sub.add_parser('run', help='train, test and count one entry')
    p_run.add_argument('entry', choices=sorted(ENTRIES))
    p_run.add_argument('--energy-images', type=int, default=50)
    p_run.add_argument('--seed', type=int, default=0,
                       help="training seed (the configs' own: 0); other "
                       'seeds train into WORK_DIR_seed<S>, beside the table')
    p_run.add_argument('--cfg-options', nargs='+',
                       help='more KEY=VALUE overrides of the training')
    p_table = sub.add_parser('table', help="write a family's table")
    p_table.add_argument('family', choices=sorted(FAMILIES))
    p_table.add_argument('--hardware', required=True)
    p_table.add_argument(
        '--note', nargs=2, action='append', default=[],
        metavar=('ENTRY', 'TEXT'), help="a remark for an entry's row, e.g. "
        'that it trained beside another run')
    made = [e for e, _, _, extra in COMPARISON if 'main_job' not in extra]
    p_cmp = sub.add_parser(
        'compare', help='runs of the comparison table, recorded')
    p_cmp.add_argument('entries', nargs='*', metavar='ENTRY',
                       help=f'of {made}')
    p_cmp.add_argument('--all', action='store_true',
                       help='every entry the comparison trains')
    p_cmp.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p_cmp.add_argument('--threads', type=int, default=2,
                       help='OMP_NUM_THREADS of the runs')
    p_cmp.add_argument('--machine', help='what the runs ran on, in words '
                       "(default: /proc/cpuinfo's model name and cores)")
    p_cmp.add_argument('--energy-images', type=int, default=50)
    p_cmp.add_argument('--results', default=COMPARISON_RESULTS)
    p_cmp.add_argument('--work-root', default='work_dirs/comparison')
    p_cmp.add_argument('--cfg-options', nargs='+',
                       help='KEY=VALUE overrides of the runs (their '
                       "settings then differ from the rows': the table "
                       'leaves such runs out)')
    args = parser.parse_args(argv)
    os.chdir(REPO)
    if args.command == 'run':
        run(args.entry, args.cfg_options, args.energy_images, args.seed)
    elif args.command == 'table':
        table(args.family, args.hardware, dict(args.note))
    else:
        unknown = sorted(set(args.entries) - set(made))
        if unknown:
            parser.error(f'compare: unknown entries {unknown}; the '
                         f'comparison trains {made}')
        compare(made if args.all else args.entries, args.seeds, args)


if __name__ == '__main__':
    main()
