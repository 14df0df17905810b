"""Cost of a spiking detector against its ANN twin (or its per-step path).

Builds, in one process, the SNN from CONFIG and its ANN twin (the same
network with LeakyReLU(0.1) for every neuron, run at batch T x B), then
times them in turns after a warm-up and measures their peak memory:

    python tools/analysis_tools/benchmark_snn.py \\
        configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py --batch 1 \\
        --shape 256 256 --mode train --iters 10 --out bench.json

``--per-step`` compares the folded path with the per-step reference path
(T sequential single-step passes) of the same SNN instead.
"""
import argparse
import copy
import json
import os.path as osp
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmdet.registry import MODELS  # noqa: E402

from mmsnn.analysis.ann_twin import build_ann_twin  # noqa: E402
from mmsnn.analysis.benchmark import (  # noqa: E402
    build_benchmark_optim_wrapper, describe_device, make_step, run_benchmark,
    set_module_attrs, synthetic_batch)
from mmsnn.models.layers.if_neuron import BACKENDS  # noqa: E402
from mmsnn.models.neurons import spiking_modules  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, InputError,  # noqa: E402
                         load_tool_config, report_input_errors)

AMP_DTYPES = dict(float16=torch.float16, bfloat16=torch.bfloat16)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Step time, throughput and peak memory of an SNN '
        'against its ANN twin at batch T x B (or against its per-step '
        'reference path)')
    parser.add_argument('config', help='SNN config file')
    parser.add_argument('--time-steps', type=int,
                        help='T (default: the config\'s model.time_steps)')
    parser.add_argument('--batch', type=int, default=1,
                        help='SNN batch B (the ANN runs T x B images)')
    parser.add_argument('--shape', type=int, nargs=2, default=[416, 416],
                        metavar=('H', 'W'), help='input size')
    parser.add_argument('--mode', choices=['train', 'infer'], default='train')
    parser.add_argument('--iters', type=int, default=10,
                        help='timed rounds (each runs every model once)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed rounds first')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--threads', type=int,
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
    parser.add_argument('--neuron-backend', choices=BACKENDS,
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


def load_model_cfg(path: str, cfg_options=None):
    """The tools' config loading (a top-level ``time_steps`` reaching the
    model, the default scope entered), with a missing file named."""
    if not osp.isfile(path):
        raise InputError(f'config file not found: {path}')
    return load_tool_config(path, cfg_options)


def build_models(args, cfg, device):
    """The SNN and the model it is compared with, with their batches."""
    torch.manual_seed(args.seed)
    snn = MODELS.build(cfg.model)
    if not any(True for _ in spiking_modules(snn)):
        raise InputError(f'{args.config}: model {cfg.model.type} has no IF '
                         'neuron; give the config of a spiking model')
    if args.time_steps is not None:
        snn.time_steps = args.time_steps
    time_steps = snn.time_steps
    attrs = attrs_of(args)
    if args.per_step:
        set_module_attrs(snn, attrs)
        return snn.to(device), None, time_steps
    if has_variant(args):
        set_module_attrs(snn, attrs)
        variant = copy.deepcopy(snn)
        if args.variant_set:
            set_module_attrs(variant, args.variant_set)
        variant.to(device)
        if args.variant_channels_last:
            variant.to(memory_format=torch.channels_last)
        if args.variant_compile:
            for name in ('backbone', 'neck'):
                if getattr(variant, name, None) is not None:
                    setattr(variant, name,
                            torch.compile(getattr(variant, name)))
        return snn.to(device), variant, time_steps
    if args.ann_config:
        ann = MODELS.build(load_model_cfg(args.ann_config).model)
    else:
        act = dict(type=args.ann_act, inplace=True)
        if args.ann_act == 'LeakyReLU':
            act['negative_slope'] = 0.1
        ann = build_ann_twin(snn, act_cfg=act)
    set_module_attrs(snn, attrs)  # after the twin: it keeps the defaults
    return snn.to(device), ann.to(device), time_steps


def has_variant(args) -> bool:
    """Whether the SNN is compared with a changed copy of itself."""
    return bool(args.variant_set or args.variant_channels_last
                or args.variant_compile)


def variant_changes(args) -> list:
    """What the variant changes, in words."""
    changes = [str(dict(args.variant_set))] if args.variant_set else []
    if args.variant_channels_last:
        changes.append('channels-last weights and inputs')
    if args.variant_compile:
        changes.append('torch.compile\'d backbone and neck')
    return changes


def attrs_of(args) -> dict:
    attrs = dict(args.set)
    if args.neuron_backend:
        attrs['backend'] = args.neuron_backend
    if args.with_cp:
        attrs['with_cp'] = True
    return attrs


def compared_with(args) -> str:
    if args.per_step:
        return 'per-step reference path of the same SNN'
    if has_variant(args):
        return 'the same SNN with ' + ', '.join(variant_changes(args))
    return args.ann_config or f'ANN twin ({args.ann_act}) at batch T x B'


def main(argv=None):
    args = parse_args(argv)
    if args.batch < 1 or min(args.shape) < 32:
        raise InputError(f'--batch must be >= 1 and --shape >= 32, got '
                         f'{args.batch} and {args.shape}')
    device = args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.startswith('cuda'):
        if not torch.cuda.is_available():
            raise InputError('--device cuda: CUDA is not available')
        torch.backends.cudnn.benchmark = True
    amp_dtype = None
    if args.amp or args.amp_dtype:
        amp_dtype = AMP_DTYPES[args.amp_dtype or (
            'float16' if device.startswith('cuda') else 'bfloat16')]
    cfg = load_model_cfg(args.config, args.cfg_options)
    snn, other, time_steps = build_models(args, cfg, device)
    shape = tuple(args.shape)

    def step_of(model, batch, path='folded', channels_last=False):
        data = synthetic_batch(model, batch, shape, seed=args.seed)
        if channels_last:
            data['inputs'] = data['inputs'].contiguous(
                memory_format=torch.channels_last)
        optim = build_benchmark_optim_wrapper(
            model, cfg.optim_wrapper, device, amp_dtype) \
            if args.mode == 'train' else None
        return make_step(model, data, args.mode, path, optim, amp_dtype,
                         device)

    if args.per_step:
        steps = dict(folded=(step_of(snn, args.batch), args.batch),
                     per_step=(step_of(snn, args.batch, 'per_step'),
                               args.batch))
        ratio = ('per_step', 'folded')
    elif has_variant(args):
        steps = dict(snn=(step_of(snn, args.batch), args.batch))
        steps['variant'] = (step_of(
            other, args.batch, channels_last=args.variant_channels_last),
                            args.batch)
        ratio = ('snn', 'variant')
    else:
        ann_batch = time_steps * args.batch
        steps = dict(snn=(step_of(snn, args.batch), args.batch),
                     ann=(step_of(other, ann_batch), ann_batch))
        ratio = ('snn', 'ann')
    result = run_benchmark(
        steps, ratio, iters=args.iters, warmup=args.warmup, device=device,
        measure_memory=not args.no_memory, progress=not args.no_progress)
    neurons = [n for _, n in spiking_modules(snn)]
    result.update(
        config=args.config,
        compared_with=compared_with(args),
        set=attrs_of(args),
        mode=args.mode,
        time_steps=time_steps,
        batch=args.batch,
        shape=list(shape),
        device=describe_device(device),
        torch=torch.__version__,
        amp=str(amp_dtype).replace('torch.', '') if amp_dtype else None,
        neuron_backend=sorted({n.backend for n in neurons}),
        with_cp=bool(getattr(snn.backbone, 'with_cp', False)),
        encode_once=getattr(snn.backbone, 'encode_once', None),
        iters=args.iters,
        warmup=args.warmup,
        cfg_options=args.cfg_options)
    print_summary(result)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'results written to {args.out}')
    return result


def print_summary(result):
    print(f"{result['device']}, mode={result['mode']}, T="
          f"{result['time_steps']}, B={result['batch']}, shape="
          f"{result['shape']}, amp={result['amp']}, neuron backend="
          f"{result['neuron_backend']}, with_cp={result['with_cp']}")
    print(f"{'':10s}{'imgs/step':>10s}{'median s':>10s}{'min s':>10s}"
          f"{'imgs/s':>10s}{'peak MiB':>10s}{'fwd+bwd':>10s}")

    def mib(mem, key):
        value = mem[key] if mem else None
        return f"{'-':>10s}" if value is None else f'{value / 2**20:10.1f}'

    for name, m in result['models'].items():
        mem = m['peak_memory']
        print(f"{name:10s}{m['images_per_step']:10d}"
              f"{m['step_time_median_s']:10.4f}{m['step_time_min_s']:10.4f}"
              f"{m['throughput_img_s']:10.2f}{mib(mem, 'peak_bytes')}"
              f"{mib(mem, 'peak_before_optimizer_bytes')}")
    r = result['ratios']

    def fmt(x):
        return 'n/a' if x is None else f'{x:.3f}'

    print(f"{r['numerator']} / {r['denominator']}: step time (median) "
          f"{fmt(r['step_time_median'])}, (min) {fmt(r['step_time_min'])}; "
          f"peak memory {fmt(r['peak_memory'])}, before the optimizer step "
          f"{fmt(r['peak_memory_before_optimizer'])}")


if __name__ == '__main__':
    with report_input_errors():
        main()
