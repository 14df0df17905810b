"""Cost of a spiking detector against its ANN twin (or its per-step path).

Builds, in one process, the SNN from CONFIG and its ANN twin (the same
network with LeakyReLU(0.1) for every neuron, run at batch T x B), then
times them in turns after a warm-up and measures their peak memory
(:func:`mmsnn.analysis.benchmark.benchmark_snn`):

    python tools/analysis_tools/benchmark_snn.py \\
        configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py --batch 1 \\
        --shape 256 256 --mode train --iters 10 --out bench.json

``--per-step`` compares the folded path with the per-step reference path
(T sequential single-step passes) of the same SNN instead.
"""
import argparse
import json
import os.path as osp
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

from mmsnn.analysis.benchmark import (AMP_DTYPES, Comparison,  # noqa: E402
                                      autocast_dtype, benchmark_snn,
                                      format_benchmark, format_profile)
from mmsnn.analysis.benchmark.training_modes import \
    bptt_cfg_options  # noqa: E402
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.models.neurons.backends import BACKENDS  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, InputError,  # noqa: E402
                         non_negative_int, positive_int, report_input_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Step time, throughput and peak memory of an SNN '
        'against its ANN twin at batch T x B (or against its per-step '
        'reference path)')
    parser.add_argument('config', help='SNN config file')
    parser.add_argument('--time-steps', type=positive_int,
                        help='T (default: the config\'s model.time_steps)')
    parser.add_argument('--batch', type=positive_int, default=1,
                        help='SNN batch B (the ANN runs T x B images)')
    parser.add_argument('--shape', type=int, nargs=2, default=[416, 416],
                        metavar=('H', 'W'), help='input size')
    parser.add_argument('--mode', choices=['train', 'infer'], default='train')
    parser.add_argument('--iters', type=positive_int, default=10,
                        help='timed rounds (each runs every model once)')
    parser.add_argument('--warmup', type=non_negative_int, default=2,
                        help='untimed rounds first')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--threads', type=positive_int,
                        help='CPU threads of PyTorch (default: its own). On '
                        'a CPU shared with other jobs, 1 avoids stalls of '
                        'threads waiting for each other')
    parser.add_argument('--amp', action='store_true',
                        help='autocast (CUDA: float16 with loss scaling; '
                        'CPU: bfloat16)')
    parser.add_argument('--amp-dtype', choices=sorted(AMP_DTYPES),
                        help='override the autocast dtype')
    parser.add_argument('--per-step', action='store_true',
                        help='compare the folded path with the per-step '
                        'reference path of the SNN (no ANN)')
    parser.add_argument('--neuron-backend',
                        choices=BACKENDS,
                        help='set every neuron\'s backend (short for '
                        '--set backend=...)')
    parser.add_argument('--with-cp', action='store_true',
                        help='activation checkpointing in the SNN (short for '
                        '--set with_cp=True); the ANN never uses it')
    parser.add_argument(
        '--set', nargs='+', action=CfgOptionsAction, default={},
        metavar='ATTR=VALUE',
        help='set these attributes on every SNN module that has them, e.g. '
        'backend=compiled encode_once=False with_cp=True')
    parser.add_argument(
        '--variant-set', nargs='+', action=CfgOptionsAction, default={},
        metavar='ATTR=VALUE',
        help='compare the SNN with a copy of itself that has these '
        'attributes (instead of the ANN), e.g. encode_once=False')
    parser.add_argument(
        '--variant-channels-last', action='store_true',
        help='compare the SNN with a copy of itself whose weights and '
        'input images are in channels-last (NHWC) memory format')
    parser.add_argument(
        '--variant-compile', action='store_true',
        help='compare the SNN with a copy of itself whose backbone and neck '
        'are torch.compile\'d (compilation happens in the warm-up)')
    parser.add_argument('--ann-config',
                        help='compare with the model of this ANN config '
                        'instead of the twin built from CONFIG')
    parser.add_argument('--ann-act', default='LeakyReLU',
                        help='activation type of the twin (LeakyReLU uses '
                        'negative_slope=0.1)')
    parser.add_argument(
        '--bptt', nargs='+', metavar='MODE [K]',
        help='train the SNN by this mode (short for --cfg-options '
        'model.bptt.mode=MODE model.bptt.k=K): sltt, or sltt K for SLTT '
        'through K drawn steps; then a copy trained by BPTT is measured too')
    parser.add_argument(
        '--profile', type=non_negative_int, default=0, metavar='N',
        help='after the timing, profile N steps of the two compared models '
        'and print where their time goes (operators\' self CPU time by '
        'group, and the forward time of backbone, neck and head)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak memory measurement')
    parser.add_argument('--no-progress', action='store_true')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.backbone.encode_once='
        'False')
    return parser.parse_args(argv)


def main():
    args = parse_args()
    if min(args.shape) < 32:
        raise InputError(f'--shape must be >= 32, got {args.shape}')
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith('cuda'):
        if not torch.cuda.is_available():
            raise InputError('--device cuda: CUDA is not available')
        torch.backends.cudnn.benchmark = True
    amp_dtype = autocast_dtype(args.device, args.amp_dtype) \
        if args.amp or args.amp_dtype else None
    cfg = load_tool_config(args.config, {**(args.cfg_options or {}),
                                         **bptt_cfg_options(args.bptt)})
    comparison = Comparison(
        per_step=args.per_step, variant_set=args.variant_set,
        variant_channels_last=args.variant_channels_last,
        variant_compile=args.variant_compile, ann_act=args.ann_act,
        ann_name=args.ann_config, ann_model=load_tool_config(
            args.ann_config).model if args.ann_config else None)
    attrs = dict(args.set)
    if args.neuron_backend:
        attrs['backend'] = args.neuron_backend
    if args.with_cp:
        attrs['with_cp'] = True
    result = benchmark_snn(
        cfg, comparison, attrs, args.time_steps, args.batch, args.shape,
        args.mode, args.iters, args.warmup, args.device, amp_dtype,
        measure_memory=not args.no_memory, progress=not args.no_progress,
        seed=args.seed, name=args.config, profile_steps=args.profile)
    result['cfg_options'] = args.cfg_options
    print(format_benchmark(result))
    if 'profile' in result:
        r = result['ratios']
        print(format_profile(result['profile'], r['numerator'],
                             r['denominator']))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'results written to {args.out}')


if __name__ == '__main__':
    with report_input_errors():
        main()
