"""The GPU measurements of tools/analysis_tools/benchmark_snn.py, in one
process, within a budget (:func:`mmsnn.analysis.benchmark.benchmark_snn`).

Called by ``gpu_check.sh`` (which prepares the packages). Runs the most
important comparisons first and skips the rest once ``--budget`` seconds are
spent; a failing run is recorded and the next one runs. Writes
``gpu_check.json`` (every run's full result or error) and
``gpu_check_summary.txt`` to ``--out``.

Where ``mmcv.ops`` (mmcv's compiled operators) cannot be imported, e.g. with
``mmcv-lite``, ``--stub-mmcv-ops`` replaces it by a stub whose members raise
when used: training steps and ``_forward`` of SNN-YOLOv3 never use them
(only box post-processing, NMS, would), so the benchmark still runs.
"""
import argparse
import gc
import importlib.abc
import importlib.machinery
import json
import os.path as osp
import sys
import time
import traceback
import types

from mmengine.config import DictAction  # imports no mmcv

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

#: name -> the run (as benchmark_snn.py's options: ``mode``, ``amp``,
#: ``set`` on the SNN's modules, ``per_step``, ``variant_set``), most
#: important first.
RUNS = [
    ('train_fp32_fused', dict(mode='train')),
    ('train_fp32_compiled', dict(mode='train', set=dict(backend='compiled'))),
    ('train_amp_compiled', dict(mode='train', amp=True,
                                set=dict(backend='compiled'))),
    ('infer_fp32_compiled', dict(mode='infer', set=dict(backend='compiled'))),
    ('infer_amp_compiled', dict(mode='infer', amp=True,
                                set=dict(backend='compiled'))),
    ('train_fp32_with_cp_compiled', dict(
        mode='train', set=dict(with_cp=True, backend='compiled'))),
    ('per_step_train_fused', dict(mode='train', per_step=True)),
    ('per_step_infer_fused', dict(mode='infer', per_step=True)),
    ('train_amp_fused', dict(mode='train', amp=True)),
    ('infer_fp32_fused', dict(mode='infer')),
    ('encode_once_vs_t_times_train', dict(
        mode='train', variant_set=dict(encode_once=False))),
]


def install_mmcv_ops_stub() -> None:
    """Make ``mmcv.ops`` (and its submodules) stubs whose every member is a
    class that raises when instantiated or called."""

    class Unavailable:

        def __init__(self, *args, **kwargs):
            raise RuntimeError(
                f'{type(self).__name__}: mmcv.ops is a stub here (mmcv '
                'without compiled ops); this benchmark must not use it')

    class StubModule(types.ModuleType):

        def __getattr__(self, name):
            if name.startswith('__'):
                raise AttributeError(name)
            member = type(name, (Unavailable, ), {})
            setattr(self, name, member)
            return member

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):

        def find_spec(self, fullname, path=None, target=None):
            if fullname == 'mmcv.ops' or fullname.startswith('mmcv.ops.'):
                return importlib.machinery.ModuleSpec(
                    fullname, self, is_package=True)
            return None

        def create_module(self, spec):
            module = StubModule(spec.name)
            module.__path__ = []
            return module

        def exec_module(self, module):
            pass

    for name in [n for n in sys.modules
                 if n == 'mmcv.ops' or n.startswith('mmcv.ops.')]:
        del sys.modules[name]
    sys.meta_path.insert(0, Finder())


def benchmark(args, run: dict) -> dict:
    """One run of :data:`RUNS` (what benchmark_snn.py does with the same
    options), its result printed as the tool prints it."""
    from mmsnn.analysis.benchmark import (Comparison, autocast_dtype,
                                          benchmark_snn, format_benchmark)
    from mmsnn.engine.tool_config import load_tool_config
    cfg = load_tool_config(args.config, args.cfg_options)
    result = benchmark_snn(
        cfg, Comparison(per_step=run.get('per_step', False),
                        variant_set=run.get('variant_set', {})),
        run.get('set'), None, args.batch, (args.shape, args.shape),
        run['mode'], args.iters, args.warmup, args.device,
        autocast_dtype(args.device) if run.get('amp') else None,
        progress=False, name=args.config)
    result['cfg_options'] = args.cfg_options
    print(format_benchmark(result), flush=True)
    return result


def summary_line(name, result) -> str:
    if 'error' in result:
        return f'{name:32s} FAILED: {result["error"].splitlines()[-1]}'
    if 'skipped' in result:
        return f'{name:32s} skipped ({result["skipped"]})'
    r = result['ratios']
    models = result['models']
    parts = [f"{k}: {m['step_time_median_s'] * 1e3:8.1f} ms, "
             f"{m['throughput_img_s']:7.1f} img/s, "
             f"{m['peak_memory']['peak_bytes'] / 2**30:6.2f} GiB"
             for k, m in models.items()]

    def fmt(x):
        return 'n/a' if x is None else f'{x:.3f}'

    return (f"{name:32s} {r['numerator']}/{r['denominator']} time "
            f"{fmt(r['step_time_median'])} (min {fmt(r['step_time_min'])})"
            f", memory {fmt(r['peak_memory'])} (fwd+bwd "
            f"{fmt(r['peak_memory_before_optimizer'])}) | " +
            ' | '.join(parts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True)
    parser.add_argument('--config',
                        default='configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    parser.add_argument('--shape', type=int, default=416)
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--budget', type=float, default=270,
                        help='seconds for all runs together')
    parser.add_argument('--only', nargs='+', help='run only these runs')
    parser.add_argument('--stub-mmcv-ops', action='store_true')
    parser.add_argument('--device', default='cuda',
                        help="'cpu' only to try this script out")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, KEY=VALUE as in '
                        'benchmark_snn.py')
    args = parser.parse_args()
    if args.stub_mmcv_ops:
        install_mmcv_ops_stub()
    import torch
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        sys.exit(f'CUDA is not available to torch {torch.__version__}: '
                 'nothing to measure')
    if args.device.startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    from mmsnn.analysis.benchmark import describe_device
    results, lines = {}, []
    start = time.time()
    for name, run in RUNS:
        if args.only and name not in args.only:
            continue
        spent = time.time() - start
        if spent > args.budget:
            results[name] = dict(skipped=f'budget of {args.budget:.0f} s '
                                 f'spent ({spent:.0f} s)')
        else:
            print(f'\n##### {name} ({spent:.0f} s spent)', flush=True)
            t0 = time.time()
            try:
                results[name] = benchmark(args, run)
            except BaseException as e:  # record, go on with the next run
                if isinstance(e, KeyboardInterrupt):
                    raise
                traceback.print_exc()
                results[name] = dict(error=traceback.format_exc())
            results[name]['wall_s'] = time.time() - t0
            gc.collect()
            if args.device.startswith('cuda'):
                torch.cuda.empty_cache()
        lines.append(summary_line(name, results[name]))
        print(lines[-1], flush=True)
        with open(osp.join(args.out, 'gpu_check.json'), 'w') as f:
            json.dump(dict(stub_mmcv_ops=args.stub_mmcv_ops, runs=results),
                      f, indent=1)
    header = (f'{describe_device(args.device)} | torch {torch.__version__} '
              f'| {args.config} | {args.shape}x{args.shape}, B={args.batch}'
              f' | mmcv.ops stub: {args.stub_mmcv_ops}')
    with open(osp.join(args.out, 'gpu_check_summary.txt'), 'w') as f:
        f.write(header + '\n' + '\n'.join(lines) + '\n')
    print('\n' + header + '\n' + '\n'.join(lines))


if __name__ == '__main__':
    main()
