"""Spiking-YOLO baseline: convert a trained ANN detector into an SNN,
evaluate it with the config's evaluator and write JSON.

Example (mini-VOC's ANN twin, a sweep of T from one simulation)::

    python tools/analysis_tools/convert_ann_to_snn.py \\
        configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py \\
        work_dirs/yolov3_minivoc/epoch_24.pth \\
        --time-steps 32 128 512 1024 --calib-images 64

With one ``--time-steps`` value it evaluates through mmengine's
``Runner.test()``. Method and options: :mod:`mmsnn.conversion` and
docs/conversion.md. Before the calibration, the config, the training and
test data, the work dir, the folder of ``--out`` and the checkpoint are
checked as tools/train.py and tools/test.py check them (docs/faults.md).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.analysis import TABLE1_EFFICIENCY  # noqa: E402
from mmsnn.conversion import convert_and_evaluate  # noqa: E402
from mmsnn.datasets import check_data  # noqa: E402
from mmsnn.engine.checkpoint import check_tool_checkpoint  # noqa: E402
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, check_output_file,  # noqa: E402
                         check_work_dir, percentile, positive_float,
                         positive_int, report_input_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert a trained ANN detector (ConvModule LeakyReLU / '
        'ReLU activations, e.g. YOLOv3) into a Spiking-YOLO SNN, evaluate '
        'it at one or more T and write JSON.')
    parser.add_argument('config', help='config of the ANN')
    parser.add_argument('checkpoint', help='the ANN\'s trained weights')
    parser.add_argument(
        '--time-steps', type=positive_int, nargs='+', default=[1024],
        help='T to evaluate; several values share one simulation')
    parser.add_argument('--calib-images', type=positive_int, default=64,
                        help='training images for the normalisation')
    parser.add_argument('--percentile', type=percentile, default=99.9,
                        help='per-channel activation percentile')
    parser.add_argument(
        '--efficiency', type=positive_float,
        default=TABLE1_EFFICIENCY / 1e9,
        help='chip model GFLOPs/W (400 reproduces the paper\'s Table 1)')
    parser.add_argument('--work-dir', help='the runner\'s work_dir')
    parser.add_argument(
        '--out', help='JSON to write (default: WORK_DIR/spiking_yolo.json)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. test_dataloader.batch_size=4')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0] +
        '_spiking_yolo')
    out = args.out or osp.join(work_dir, 'spiking_yolo.json')
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
        # calibration reads the training set, evaluation the test set
        check_data(cfg, ['train_dataloader', 'test_dataloader'],
                   args.config)
        check_work_dir(work_dir, '--work-dir')
        check_output_file(out, '--out')
        check_tool_checkpoint(cfg.model, args.checkpoint)
        report = convert_and_evaluate(
            cfg, args.checkpoint, args.time_steps, args.percentile,
            args.calib_images, work_dir, efficiency=args.efficiency * 1e9)
    report['config'] = args.config
    with open(out, 'w') as f:
        json.dump(report, f, indent=2)
    for r in report['results']:
        print(f"T={r['time_steps']}: {r['metrics']}  SOPs/image "
              f"{r['sops']:.4g}, 45 nm {r['energy_45nm_j']:.4g} J")
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
