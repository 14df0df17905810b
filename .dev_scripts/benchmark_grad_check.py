"""What FiniteLossHook's gradient check costs a training step.

Times one training step (forward, loss, backward, optimizer step) of a
config's model on synthetic images, with and without the check that
``FiniteLossHook(check_grad=True)`` adds (a step pre-hook on the optimizer:
one multi-tensor norm of the gradients and a flag, read after the step as
the hook reads it with the loss), interleaved in one process, median of
``--iters``; and the check alone, on the gradients of one backward pass
(the difference of two step times is noisy on a shared machine). Prints
the medians and the overhead; ``--out`` writes them as JSON with the
machine's description.

Example::

    python .dev_scripts/benchmark_grad_check.py --device cuda --batch 8 \\
        --out grad_check_h100.json
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
from mmdet.registry import MODELS  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis.benchmark import time_interleaved  # noqa: E402
from mmsnn.analysis.benchmark.steps import (  # noqa: E402
    build_benchmark_optim_wrapper, make_step, synthetic_batch)
from mmsnn.engine.hooks.finite_loss_hook import _GradientCheck  # noqa: E402
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import positive_int  # noqa: E402

DEFAULT_CONFIG = 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG)
    parser.add_argument('--batch', type=positive_int, default=1)
    parser.add_argument('--shape', type=positive_int, nargs=2,
                        default=[416, 416], metavar=('H', 'W'))
    parser.add_argument('--iters', type=positive_int, default=10)
    parser.add_argument('--warmup', type=positive_int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=positive_int)
    parser.add_argument('--out', help='write the results as JSON here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = load_tool_config(args.config)
    model = MODELS.build(cfg.model).to(args.device)
    optim_wrapper = build_benchmark_optim_wrapper(model, cfg.optim_wrapper,
                                                  args.device)
    data = synthetic_batch(model, args.batch, tuple(args.shape))
    plain = make_step(model, data, 'train', optim_wrapper=optim_wrapper,
                      device=args.device)
    checks = []

    def checked():
        handle = optim_wrapper.optimizer.register_step_pre_hook(
            lambda optimizer, *_: checks.append(_GradientCheck(optimizer)))
        plain()
        handle.remove()
        assert checks.pop().finite()  # read as the hook reads it

    times = time_interleaved(dict(plain=plain, checked=checked), args.iters,
                             args.warmup, args.device)
    model.train()
    losses = model.loss(data['inputs'], data['data_samples'])
    model.parse_losses(losses)[0].backward()
    times.update(time_interleaved(
        dict(check=lambda: _GradientCheck(optim_wrapper.optimizer).finite()),
        args.iters, args.warmup, args.device))
    medians = {k: statistics.median(v) for k, v in times.items()}
    result = dict(
        config=args.config, batch=args.batch, shape=args.shape,
        device=args.device, machine=platform.processor() or
        platform.machine(), cuda=(torch.cuda.get_device_name()
                                  if args.device.startswith('cuda') else None),
        threads=torch.get_num_threads(),
        parameters=sum(p.numel() for p in model.parameters()),
        step_s=medians['plain'], checked_step_s=medians['checked'],
        check_s=medians['check'],
        overhead=medians['checked'] / medians['plain'] - 1,
        check_share=medians['check'] / medians['plain'], times=times)
    print(f'{args.config} batch {args.batch} {args.shape} on {args.device}: '
          f'step {medians["plain"] * 1e3:.1f} ms, with the gradient check '
          f'{medians["checked"] * 1e3:.1f} ms '
          f'({result["overhead"] * 100:+.2f}%); the check alone '
          f'{medians["check"] * 1e3:.2f} ms '
          f'({result["check_share"] * 100:.2f}% of a step)')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
