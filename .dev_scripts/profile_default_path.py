"""Time and profile the default path (BPTT) against the ANN twin, train
step and inference, and write its results file (developers' script; run it
on an otherwise idle machine).

For each mode (``train``, ``infer``) it runs
``tools/analysis_tools/benchmark_snn.py CONFIG --mode MODE --profile N`` in
a process of its own: the SNN with its defaults and its ANN twin at batch
T x B, timed in turns, then profiled (where the difference goes: operator
groups' self CPU time, the parts' forward). The runs go into
``docs/default_path_profile.json`` (machine, torch, date, commit, command),
then the tables of ``docs/training_modes.md`` and ``docs/benchmarks.md``
are rewritten::

    python .dev_scripts/profile_default_path.py
    python .dev_scripts/profile_default_path.py --shape 64 --iters 1 \\
        --warmup 1 --profile 1 --out /tmp/profile.json --no-tables  # smoke

The default setting is the training-modes issue's: SNN-YOLOv3 (Darknet-53,
VOC, T=6 config), T = 6, batch 1, 160 x 160, 2 threads.
"""
import argparse
import json
import os.path as osp
import subprocess
import tempfile

from benchmark_training_modes import REPO, provenance, tool_command

from mmsnn.analysis.training_modes_report import save


def run_mode(args, mode):
    """One process of benchmark_snn.py; its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'result.json')
        cmd = tool_command(args, mode, args.time_steps, args.shape, out,
                           '--profile', str(args.profile))
        print(f'[profile] {mode}', flush=True)
        subprocess.run(cmd, cwd=REPO, check=True)
        with open(out) as f:
            return json.load(f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default='configs/snn_yolov3/'
                        'snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    parser.add_argument('--time-steps', type=int, default=6)
    parser.add_argument('--shape', type=int, default=160)
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--profile', type=int, default=3,
                        help='profiled steps of each model')
    parser.add_argument('--out', default=osp.join(
        REPO, 'docs', 'default_path_profile.json'))
    parser.add_argument('--no-tables', action='store_true',
                        help='do not rewrite the docs tables')
    args = parser.parse_args(argv)
    runs = [dict(mode=mode, result=run_mode(args, mode))
            for mode in ('train', 'infer')]
    results = dict(
        about='The default path (BPTT, default neuron backends) against the '
        'ANN twin at batch T x B: step times timed in turns and a profile '
        'of each (tools/analysis_tools/benchmark_snn.py --profile), one '
        'process per mode; written by .dev_scripts/profile_default_path.py.',
        **provenance('profile_default_path.py', argv, args.config, runs),
        runs=runs)
    save(results, args.out, REPO, tables=not args.no_tables)
    return results


if __name__ == '__main__':
    main()
