"""Where a training step's time goes, operator by operator.

Builds the runner's model and train dataloader from CONFIG, takes one real
batch (through the model's data preprocessor once), runs ``--warmup``
untimed training steps (forward, loss, backward, AdamW;
:func:`mmsnn.analysis.benchmark.make_step`) on it, then ``--steps`` steps
under ``torch.profiler`` and prints the operators by self CPU time per
step; ``--by-shape`` splits them by input shapes (which convolution, at
which resolution). For step times against a
baseline in the same process use ``tools/analysis_tools/benchmark_snn.py``
(``--variant-set``, ``--variant-channels-last``, ``--variant-compile``);
this script says where the time of one step goes, as configs/mini_voc/
README.md quotes it for the main job's SNN::

    python .dev_scripts/profile_train_step.py \\
        configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py --threads 1 --by-shape
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.optim import OptimWrapper  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis.benchmark import make_step  # noqa: E402
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--steps', type=int, default=3,
                        help='profiled steps')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed steps first (compiled neurons)')
    parser.add_argument('--threads', type=int)
    parser.add_argument('--rows', type=int, default=25)
    parser.add_argument('--by-shape', action='store_true',
                        help='one row per operator and input shapes')
    parser.add_argument('--work-dir', default='work_dirs/profile_train_step')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def build(args):
    """The model and one batch of its train dataloader, preprocessed."""
    cfg = load_tool_config(args.config, args.cfg_options)
    cfg.work_dir = args.work_dir
    cfg.load_from = None  # the cost does not depend on the weights
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    runner = Runner.from_cfg(cfg)
    loader = runner.build_dataloader(cfg.train_dataloader)
    model = runner.model
    batch = next(iter(loader))
    return model, model.data_preprocessor(batch, True)


def main(argv=None):
    args = parse_args(argv)
    if args.steps < 1 or args.warmup < 0:
        raise SystemExit(f'--steps must be >= 1 and --warmup >= 0, got '
                         f'{args.steps} and {args.warmup}')
    if args.threads:
        torch.set_num_threads(args.threads)
    model, data = build(args)
    step = make_step(model, data, 'train', optim_wrapper=OptimWrapper(
        torch.optim.AdamW(model.parameters())))
    for _ in range(args.warmup):
        step()
    with profile(activities=[ProfilerActivity.CPU],
                 record_shapes=args.by_shape) as prof:
        for _ in range(args.steps):
            step()
    events = prof.key_averages(group_by_input_shape=args.by_shape)
    total_ms = sum(e.self_cpu_time_total for e in events) / 1e3 / args.steps
    shape = tuple(data['inputs'].shape)
    print(f'{args.config}: batch {shape[0]} (padded to {shape[2:]}), '
          f'{torch.get_num_threads()} threads, {args.steps} '
          f'profiled steps: {total_ms:.1f} ms of self CPU time per step')
    print(f"{'ms/step':>9s} {'share':>6s} {'calls':>6s}  operator")
    rows = sorted(events, key=lambda e: -e.self_cpu_time_total)
    for e in rows[:args.rows]:
        ms = e.self_cpu_time_total / 1e3 / args.steps
        shapes = f'  {e.input_shapes}' if args.by_shape else ''
        print(f'{ms:9.2f} {ms / total_ms:6.1%} {e.count // args.steps:6d}  '
              f'{e.key}{shapes}')
    return events


if __name__ == '__main__':
    main()
