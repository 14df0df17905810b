"""Where does each neuron's fused / compiled kernel pay? A micro benchmark.

Times every neuron of the family with every backend it has, on one
time-folded tensor ``[T*B, C, H, W]``: forward + backward of ``sum(spikes *
w)`` (``--mode train``) or the forward alone under ``no_grad``
(``--mode infer``), interleaved in one process, median of ``--iters``. For
the whole detector use ``tools/analysis_tools/benchmark_snn.py CONFIG
--neuron-backend ... --cfg-options model.backbone.neuron_cfg.type=LIFNeuron
...``. Nothing here has been run on an idle machine yet: the numbers it
prints belong in docs/benchmarks.md with the machine and thread count.

Example::

    python .dev_scripts/benchmark_neurons.py --threads 2 --shape 6 64 52 52
"""
import argparse
import os.path as osp
import statistics
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
from mmdet.registry import MODELS  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the neurons)
from mmsnn.analysis.benchmark import time_interleaved  # noqa: E402

#: (label, neuron config) of the family; each runs with its backends.
NEURONS = [
    ('IF', dict(type='IFNeuron')),
    ('LIF', dict(type='LIFNeuron', tau=2.0)),
    ('PLIF', dict(type='ParametricLIFNeuron', init_tau=2.0)),
    ('spikingjelly LIFNode', dict(type='SpikingJellyNeuron',
                                  node='LIFNode', tau=2.0)),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--time-steps', type=int, default=6)
    parser.add_argument('--shape', type=int, nargs=4, default=[1, 64, 52, 52],
                        metavar=('B', 'C', 'H', 'W'))
    parser.add_argument('--mode', choices=['train', 'infer'], default='train')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed rounds (compilation happens here)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int)
    parser.add_argument('--backends', nargs='+',
                        help='only these backends (default: every one a '
                        'neuron has)')
    return parser.parse_args(argv)


def make_step(neuron, x, weight, train):
    """One forward (+ backward) of ``neuron`` on ``x``."""
    if not train:
        def step():
            with torch.no_grad():
                neuron(x)
        return step

    def step():
        xi = x.detach().requires_grad_()
        (neuron(xi) * weight).sum().backward()
    return step


def steps_of(args):
    """Every (neuron, backend) step, named ``'LIF/fused'`` etc."""
    b, c, h, w = args.shape
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(args.time_steps * b, c, h, w, generator=g) * 1.5).to(
        args.device)
    weight = torch.randn(x.shape, generator=g).to(args.device)
    steps = {}
    for label, cfg in NEURONS:
        cls = MODELS.get(cfg['type'])
        for backend in cls.backends:
            if args.backends and backend not in args.backends:
                continue
            neuron = MODELS.build(
                dict(cfg, time_steps=args.time_steps,
                     backend=backend)).to(args.device)
            steps[f'{label}/{backend}'] = make_step(
                neuron, x, weight, args.mode == 'train')
    return steps


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    times = time_interleaved(steps_of(args), args.iters, args.warmup,
                             args.device, progress=False)
    print(f'{args.mode}, T={args.time_steps}, shape {args.shape}, '
          f'{torch.get_num_threads()} threads, {args.device}')
    print(f"{'neuron/backend':<34s} {'median ms':>10s}")
    for name, t in times.items():
        print(f'{name:<34s} {1e3 * statistics.median(t):10.3f}')
    return times


if __name__ == '__main__':
    main()
