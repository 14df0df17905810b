"""Measure the training modes' cost grid and write its results file
(developers' script; run it on an otherwise idle machine).

For every time step count, input size and training mode it runs
``tools/analysis_tools/benchmark_snn.py CONFIG --mode train --bptt MODE
[K]`` in a process of its own: the SNN in the mode, the same SNN trained by
BPTT and its ANN twin at batch T x B, timed in turns in that process, with
their peak memory. The runs go into ``docs/training_modes_benchmark.json``
(with the machine, torch, commit and command), then
``.dev_scripts/training_modes_tables.py`` writes the tables of
``docs/training_modes.md`` and ``docs/benchmarks.md``::

    python .dev_scripts/benchmark_training_modes.py           # the grid
    python .dev_scripts/benchmark_training_modes.py \\
        --time-steps 2 --shapes 64 --modes sltt:1 --iters 1 --warmup 0 \\
        --config configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py \\
        --out /tmp/grid.json --no-tables                      # a smoke run

The grid's default is the issue's: T = 4, 6, 16, inputs 160 and 416,
SLTT, SLTT-K with K = 1 and 2, on SNN-YOLOv3 (Darknet-53, VOC, T=6
config), batch 1, 2 threads. A cell that fails (e.g. out of memory) is
recorded with its error and the grid goes on.
"""
import argparse
import datetime
import json
import os.path as osp
import shlex
import subprocess
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # mmsnn of this checkout

from mmsnn.analysis.training_modes_report import save  # noqa: E402

TOOL = 'tools/analysis_tools/benchmark_snn.py'


def parse_mode(text):
    """``'sltt'`` -> ``['sltt']``, ``'sltt:2'`` -> ``['sltt', '2']``."""
    return text.split(':')


def commit():
    try:
        return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                              cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def tool_command(args, mode, time_steps, shape, out, *options):
    """The command line of one benchmark_snn.py process: ``args``'
    config, batch, threads, iters and warmup, a square ``shape``, then
    ``options``."""
    return [
        sys.executable, TOOL, args.config, '--mode', mode, '--time-steps',
        str(time_steps), '--shape', str(shape), str(shape), '--batch',
        str(args.batch), '--threads', str(args.threads), '--iters',
        str(args.iters), '--warmup', str(args.warmup), '--no-progress',
        *options, '--out', out
    ]


def cell_command(args, time_steps, shape, mode, out):
    return tool_command(args, 'train', time_steps, shape, out, '--bptt',
                        *parse_mode(mode))


def provenance(script, argv, config, runs):
    """What a results file says of where its runs come from: config,
    command (``script`` with ``argv``), machine and torch (of the first
    run), date and commit."""
    args = argv if argv is not None else sys.argv[1:]
    first = runs[0]['result'] if runs else {}
    return dict(
        config=config,
        command=' '.join([f'python .dev_scripts/{script}'] +
                         [shlex.quote(a) for a in args]),
        machine=first.get('device'), torch=first.get('torch'),
        date=datetime.date.today().isoformat(), commit=commit())


#: What a grid measured in parts (``--add``) records once per part.
PART_KEYS = ('command', 'date', 'commit')


def cell_key(run):
    """What identifies a cell of the grid."""
    return (run['time_steps'], tuple(run['shape']), run['bptt']['mode'],
            run['bptt']['k'])


def run_grid(args):
    runs = []
    for shape in args.shapes:
        for time_steps in args.time_steps:
            for mode in args.modes:
                with tempfile.TemporaryDirectory() as tmp:
                    out = osp.join(tmp, 'cell.json')
                    cmd = cell_command(args, time_steps, shape, mode, out)
                    print(f'[grid] T={time_steps} {shape}x{shape} {mode}',
                          flush=True)
                    proc = subprocess.run(cmd, cwd=REPO, text=True,
                                          capture_output=True)
                    run = dict(time_steps=time_steps, shape=[shape, shape],
                               bptt=dict(mode=parse_mode(mode)[0],
                                         k=int(parse_mode(mode)[1]) if ':'
                                         in mode else None))
                    if proc.returncode == 0:
                        with open(out) as f:
                            run['result'] = json.load(f)
                        runs.append(run)
                    else:
                        run['error'] = proc.stderr.strip()[-2000:]
                        print(f'[grid] failed: {run["error"][-300:]}',
                              file=sys.stderr)
                        args.failed.append(run)
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config',
                        default='configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    parser.add_argument('--time-steps', type=int, nargs='+',
                        default=[4, 6, 16])
    parser.add_argument('--shapes', type=int, nargs='+', default=[160, 416])
    parser.add_argument('--modes', nargs='+',
                        default=['sltt', 'sltt:1', 'sltt:2'],
                        help="'sltt' or 'sltt:K' (BPTT and the ANN twin "
                        'run in every cell)')
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--out', default=osp.join(
        REPO, 'docs', 'training_modes_benchmark.json'))
    parser.add_argument('--add', action='store_true',
                        help='add the cells to those of --out (the same '
                        'machine), replacing cells measured again; each '
                        'part\'s command, date and commit are kept')
    parser.add_argument('--no-tables', action='store_true',
                        help='do not rewrite the docs tables')
    args = parser.parse_args(argv)
    args.failed = []
    runs = run_grid(args)
    before = {}
    if args.add and osp.isfile(args.out):  # a grid measured in parts
        with open(args.out) as f:
            before = json.load(f)
        new = {cell_key(r) for r in runs}
        runs = [r for r in before['runs'] if cell_key(r) not in new] + runs
    results = dict(
        about='Train step time and peak memory of each training mode '
        'against BPTT and the ANN twin at batch T x B, one process per '
        'cell (tools/analysis_tools/benchmark_snn.py --bptt); written by '
        '.dev_scripts/benchmark_training_modes.py.',
        **provenance('benchmark_training_modes.py', argv, args.config, runs),
        runs=runs,
        failed=args.failed)
    for key in PART_KEYS if before else ():
        earlier = before.get(key)
        parts = list(dict.fromkeys(
            (earlier if isinstance(earlier, list) else [earlier]) +
            [results[key]]))
        results[key] = parts if len(parts) > 1 else parts[0]
    print(f'{len(runs)} cells measured, {len(args.failed)} failed')
    save(results, args.out, REPO, tables=not args.no_tables)
    return results


if __name__ == '__main__':
    main()
