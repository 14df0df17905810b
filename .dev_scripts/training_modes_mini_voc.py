"""Train the main job's mini-VOC recipe in each training mode over seeds and
write the mAPs' results file (developers' script; about 12 minutes a run on
a 2-core CPU, 12 runs by default).

Each run is the SNN part of ``tools/run_main_job.sh`` with one more option:
``tools/train.py configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py`` from the
published ANN twin (the config's ``load_from``), 4 epochs, no validation,
``randomness.seed=SEED model.bptt.mode=MODE model.bptt.k=K``, then
``tools/test.py`` on its final checkpoint (VOC mAP@0.5, 11 points, mini-VOC
test split), with the job's environment (2 threads; AVX2 kernels where the
CPU has them). A run whose work dir already holds its ``result.json`` is
not made again (so an interrupted grid goes on where it stopped). The runs
go into ``docs/training_modes_mini_voc.json`` with each mode's mean and
standard deviation over seeds, then ``.dev_scripts/training_modes_tables.py``
writes the table of ``docs/training_modes.md``::

    python .dev_scripts/training_modes_mini_voc.py          # 4 modes x 3 seeds
    python .dev_scripts/training_modes_mini_voc.py --collect  # no training
    python .dev_scripts/training_modes_mini_voc.py --modes sltt sltt:1 \\
        sltt:2 --bptt-from-main-job   # BPTT: the main job's seeds
    python .dev_scripts/training_modes_mini_voc.py --modes sltt:1 \\
        --seeds 0 --num-trainval 16 --num-test 8 --data-dir /tmp/mini \\
        --work-dir /tmp/modes --out /tmp/modes.json --no-tables \\
        --cfg-options train_cfg.max_epochs=1                # a smoke run
"""
import argparse
import datetime
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # mmsnn of this checkout

from mmsnn.analysis.training_modes_report import save, summarize  # noqa: E402
CONFIG = 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'


def parse_mode(text):
    """``'full'`` / ``'sltt'`` / ``'sltt:2'`` -> ``dict(mode=, k=)``."""
    mode, _, k = text.partition(':')
    return dict(mode=mode, k=int(k) if k else None)


def mode_dir(text):
    return text.replace(':', '_k')


def job_env():
    """tools/run_main_job.sh's: 2 threads, AVX2 kernels where available."""
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '2')
    try:
        with open('/proc/cpuinfo') as f:
            avx2 = re.search(r'\bavx2\b', f.read()) is not None
    except OSError:
        avx2 = False
    if avx2:
        env.setdefault('ATEN_CPU_CAPABILITY', 'avx2')
        env.setdefault('ONEDNN_MAX_CPU_ISA', 'AVX2')
        env.setdefault('MKL_CBWR', 'AVX2')
    return env


def machine():
    """The CPU and the runs' thread count, as the benchmarks name it."""
    import torch

    from mmsnn.analysis.benchmark import describe_device
    torch.set_num_threads(int(job_env()['OMP_NUM_THREADS']))
    return describe_device('cpu')


def data_options(args):
    """Where the runs read mini-VOC: the job's folder unless told."""
    root = osp.join(args.data_dir, 'VOCdevkit', '')
    return [f'{loader}.dataset.data_root={root}'
            for loader in ('train_dataloader', 'test_dataloader',
                           'val_dataloader')]


def make_data(args):
    cmd = [sys.executable, 'tools/misc/make_mini_voc.py', '--out',
           args.data_dir, '--if-outdated']
    if args.num_trainval is None and args.num_test is None:
        cmd.append('--verify')  # the shipped manifest is for the defaults
    if args.num_trainval is not None:
        cmd += ['--num-trainval', str(args.num_trainval)]
    if args.num_test is not None:
        cmd += ['--num-test', str(args.num_test)]
    subprocess.run(cmd, cwd=REPO, check=True)


def one_run(args, mode, seed, env):
    """Train and test one (mode, seed) unless done; returns its record."""
    work = osp.join(args.work_dir, mode_dir(mode), f'seed{seed}')
    record_path = osp.join(work, 'result.json')
    if osp.isfile(record_path):
        with open(record_path) as f:
            return json.load(f)
    bptt = parse_mode(mode)
    options = data_options(args) + [
        f'randomness.seed={seed}', 'train_cfg.val_begin=1000',
        f"model.bptt.mode={bptt['mode']}", f"model.bptt.k={bptt['k']}"
    ] + list(args.cfg_options)
    print(f'[modes] {mode} seed {seed} -> {work}', flush=True)
    start = time.time()
    subprocess.run([sys.executable, 'tools/train.py', CONFIG, '--work-dir',
                    work, '--cfg-options', *options], cwd=REPO, env=env,
                   check=True)
    train_time = time.time() - start
    with open(osp.join(work, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    test = subprocess.run(
        [sys.executable, 'tools/test.py', CONFIG, checkpoint, '--work-dir',
         osp.join(work, 'test'), '--cfg-options', *data_options(args),
         *args.cfg_options], cwd=REPO, env=env, check=True,
        capture_output=True, text=True)
    maps = re.findall(r'pascal_voc/mAP: ([0-9.]+)', test.stdout + test.stderr)
    if not maps:
        raise RuntimeError(f'no mAP in the test output of {checkpoint}')
    record = dict(mode=mode, bptt=bptt, seed=seed, map=float(maps[-1]),
                  train_time_s=round(train_time), checkpoint=checkpoint,
                  machine=machine(), date=datetime.date.today().isoformat(),
                  cfg_options=list(args.cfg_options))
    with open(record_path, 'w') as f:
        json.dump(record, f, indent=2)
    return record


def main_job_bptt_runs():
    """The main job's published SNN runs (BPTT, the same recipe) as this
    script's records: those of configs/mini_voc/results.json made with the
    config's current settings digest."""
    from mmengine.config import Config

    from mmsnn.analysis.model_zoo.comparison import main_job_runs
    from mmsnn.utils.config_digest import settings_digest
    digest = settings_digest(Config.fromfile(osp.join(REPO, CONFIG)))
    with open(osp.join(REPO, 'configs', 'mini_voc', 'results.json')) as f:
        published = json.load(f)
    return [
        dict(mode='full', bptt=dict(mode='full', k=None), seed=run['seed'],
             map=run['map'], machine=run['machine'], date=run['date'],
             source='the main job (configs/mini_voc/results.json)')
        for run in main_job_runs(published, 'snn')
        if run['settings'] == digest
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--modes', nargs='+',
                        default=['full', 'sltt', 'sltt:1', 'sltt:2'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/training_modes')
    parser.add_argument('--data-dir', default='data/mini_voc')
    parser.add_argument('--num-trainval', type=int,
                        help='smaller data for a smoke run')
    parser.add_argument('--num-test', type=int)
    parser.add_argument('--bptt-from-main-job', action='store_true',
                        help='BPTT rows from the main job\'s published '
                        'runs of the same settings instead of training '
                        'them again (leave full out of --modes)')
    parser.add_argument('--collect', action='store_true',
                        help='only collect the runs already made')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='more options for every train and test')
    parser.add_argument('--out', default=osp.join(
        REPO, 'docs', 'training_modes_mini_voc.json'))
    parser.add_argument('--no-tables', action='store_true')
    args = parser.parse_args(argv)
    env = job_env()
    if not args.collect:
        make_data(args)
    runs = []
    for mode in args.modes:
        for seed in args.seeds:
            if args.collect:
                path = osp.join(args.work_dir, mode_dir(mode), f'seed{seed}',
                                'result.json')
                if osp.isfile(path):
                    with open(path) as f:
                        runs.append(json.load(f))
            else:
                runs.append(one_run(args, mode, seed, env))
    if args.bptt_from_main_job:
        runs = main_job_bptt_runs() + runs
    from mmengine.config import Config
    epochs = Config.fromfile(osp.join(REPO, CONFIG)).train_cfg.max_epochs
    for option in args.cfg_options:  # a smoke run's shorter schedule
        if option.startswith('train_cfg.max_epochs='):
            epochs = int(option.split('=', 1)[1])
    results = dict(
        about='mini-VOC mAP of the main job\'s SNN recipe trained in each '
        'training mode (model.bptt) over seeds; written by '
        '.dev_scripts/training_modes_mini_voc.py. train_time_s is the '
        'training\'s wall time, whatever else ran on the machine meanwhile; '
        'the modes\' speed is measured by '
        '.dev_scripts/benchmark_training_modes.py.',
        config=CONFIG, epochs=epochs, runs=runs, summary=summarize(runs)
        if runs else {})
    for mode, s in results['summary'].items():
        print(f"{mode}: {s['mean']:.4f} +- {s['std']:.4f} over seeds "
              f"{s['seeds']} {s['maps']}")
    save(results, args.out, REPO, tables=not args.no_tables)
    return results


if __name__ == '__main__':
    main()
