"""Test (and evaluate) a detector: mmdet's tools/test.py with mmsnn.

Same arguments as mmdet's. Before anything is built, the config, the
checkpoint file, the test data, the work dir and the folder of ``--out`` are
checked, and after the model is built the checkpoint is compared with it: a
shape mismatch, a damaged file or non-finite weights (which would otherwise
load silently and score near zero) are refused; a checkpoint trained as
another model type (ANN under an SNN config, or the reverse) is warned of.
Checkpoints of mmengine's stock hook load too
(:func:`mmsnn.engine.safe_checkpoint_loading`). Ctrl-C or SIGTERM stops
after the batch in progress with one line and exit status 128 + the signal
(:func:`mmsnn.engine.use_safe_eval_loops`). docs/faults.md lists the
messages.
"""
import argparse
import os.path as osp
import sys
import warnings
from copy import deepcopy

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine import ConfigDict  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmdet.engine.hooks.utils import trigger_visualization_hook  # noqa: E402
from mmdet.evaluation import DumpDetResults  # noqa: E402
from mmdet.registry import RUNNERS  # noqa: E402
from mmdet.utils import setup_cache_size_limit_of_dynamo  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers components)
from mmsnn.engine import (check_checkpoint_file,  # noqa: E402
                          check_test_checkpoint, closing_process_group,
                          report_stop_signals, safe_checkpoint_loading,
                          setup_distributed, use_safe_eval_loops)
from mmsnn.datasets import check_data  # noqa: E402
from mmsnn.engine.tool_config import (TEST_SECTIONS,  # noqa: E402
                                      load_runner_config)
from mmsnn.utils import (add_runner_args, check_output_file,  # noqa: E402
                         check_work_dir, non_negative_float,
                         parse_runner_args, report_input_errors)


def parse_args():
    parser = argparse.ArgumentParser(
        description='MMDet test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved. '
        'If specified, it will be automatically saved '
        'to the work_dir/timestamp/show_dir')
    parser.add_argument(
        '--wait-time', type=non_negative_float, default=2,
        help='the interval of show (s)')
    add_runner_args(parser)
    parser.add_argument('--tta', action='store_true')
    return parse_runner_args(parser)


def add_tta(cfg):
    """mmdet's default flip test-time augmentation, where the config has
    none."""
    if 'tta_model' not in cfg:
        warnings.warn('Cannot find ``tta_model`` in config, '
                      'we will set it as default.')
        cfg.tta_model = dict(
            type='DetTTAModel',
            tta_cfg=dict(
                nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))
    if 'tta_pipeline' not in cfg:
        warnings.warn('Cannot find ``tta_pipeline`` in config, '
                      'we will set it as default.')
        test_data_cfg = cfg.test_dataloader.dataset
        while 'dataset' in test_data_cfg:
            test_data_cfg = test_data_cfg['dataset']
        cfg.tta_pipeline = deepcopy(test_data_cfg.pipeline)
        flip_tta = dict(
            type='TestTimeAug',
            transforms=[
                [
                    dict(type='RandomFlip', prob=1.),
                    dict(type='RandomFlip', prob=0.)
                ],
                [
                    dict(
                        type='PackDetInputs',
                        meta_keys=('img_id', 'img_path', 'ori_shape',
                                   'img_shape', 'scale_factor', 'flip',
                                   'flip_direction'))
                ],
            ])
        cfg.tta_pipeline[-1] = flip_tta
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline


def main():
    args = parse_args()
    setup_cache_size_limit_of_dynamo()

    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir,
                             args.launcher, TEST_SECTIONS)

    # Fail on bad input now rather than after the model and loaders are up.
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    check_checkpoint_file(args.checkpoint, 'Checkpoint')
    check_data(cfg, ['test_dataloader'], args.config)
    check_work_dir(cfg.work_dir)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise mmsnn.utils.InputError(
                f'--out {args.out}: the dump file must end with .pkl or '
                '.pickle.')
        check_output_file(args.out, '--out')

    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)

    if args.tta:
        add_tta(cfg)
    use_safe_eval_loops(cfg)
    setup_distributed(cfg)  # gloo where there is no GPU

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    check_test_checkpoint(runner.model, cfg.model, args.checkpoint)

    # add `DumpResults` dummy metric
    if args.out is not None:
        runner.test_evaluator.metrics.append(
            DumpDetResults(out_file_path=args.out))

    with safe_checkpoint_loading():  # checked above, weights only
        runner.test()


if __name__ == '__main__':
    with report_input_errors(), report_stop_signals(), \
            closing_process_group():
        main()
