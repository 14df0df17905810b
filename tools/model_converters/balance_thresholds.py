"""Threshold-balance a trained ANN checkpoint for its spiking twin.

Example (the main job's step between the ANN twin and the SNN)::

    python tools/model_converters/balance_thresholds.py \\
        configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py \\
        work_dirs/yolov3_minivoc/epoch_6.pth \\
        work_dirs/yolov3_minivoc/epoch_6_balanced.pth
    python tools/train.py configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py \\
        --cfg-options load_from=work_dirs/yolov3_minivoc/epoch_6_balanced.pth

Every BN that feeds an activation is divided, per channel, by the
``--percentile``-th percentile of its output over ``--calib-images``
training images (the config's train pipeline, in data set order), so that
the IF neurons of the spiking twin (threshold 1) start where the ANN's
activations were. Method: :mod:`mmsnn.conversion.threshold_balance`.

Before the calibration, the config, the training data, the folder of OUT
and the checkpoint are checked as tools/train.py and tools/test.py check
them (docs/faults.md).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import balance_thresholds  # noqa: E402
from mmsnn.conversion import calibration_batches  # noqa: E402
from mmsnn.datasets import check_data  # noqa: E402
from mmsnn.engine.checkpoint import (  # noqa: E402
    check_tool_checkpoint, safe_checkpoint_loading)
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, InputError,  # noqa: E402
                         check_output_file, percentile, positive_int,
                         report_input_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Divide each activation\'s BN by its output percentile '
        '(threshold balancing) and write the checkpoint an SNN twin starts '
        'from.')
    parser.add_argument('config', help='config of the ANN')
    parser.add_argument('checkpoint', help='the ANN\'s trained weights')
    parser.add_argument('out', help='balanced checkpoint to write (.pth)')
    parser.add_argument('--percentile', type=percentile, default=99.0,
                        help='per-channel output percentile set to 1')
    parser.add_argument('--calib-images', type=positive_int, default=64,
                        help='training images the percentiles come from')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmdet.registry import MODELS
    from mmengine.runner import Runner
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    from mmengine.runner.utils import set_random_seed
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
        check_data(cfg, ['train_dataloader'], args.config)
        check_output_file(args.out, 'OUT')
        model = MODELS.build(cfg.model)
        check_tool_checkpoint(cfg.model, args.checkpoint, model)
        with safe_checkpoint_loading():  # checked above, weights only
            load_checkpoint(model, args.checkpoint, map_location='cpu',
                            strict=True)
        set_random_seed(0)  # the pipeline's random flips
        loader_cfg = dict(cfg.train_dataloader, persistent_workers=False,
                          sampler=dict(type='DefaultSampler', shuffle=False))
        batches = calibration_batches(model, Runner.build_dataloader(
            loader_cfg, seed=0), args.calib_images)
        divisors = balance_thresholds(model, batches, args.percentile)
    save_checkpoint(
        dict(state_dict=model.state_dict(),
             meta=dict(balanced_from=osp.abspath(args.checkpoint),
                       percentile=args.percentile,
                       calib_images=args.calib_images)), args.out)
    mean = sum(d.mean().item() for d in divisors.values()) / len(divisors)
    print(f'{len(divisors)} activations balanced (mean divisor {mean:.2f}, '
          f'{args.percentile}th percentile of {args.calib_images} images): '
          f'{args.checkpoint} -> {args.out}')


if __name__ == '__main__':
    main()
