"""Convert an ultralytics-style YOLOv3(-SPP) checkpoint (the authors' code)
into an mmsnn checkpoint.

Example::

    python tools/model_converters/ultralytics_yolov3_to_mmsnn.py \\
        their_model.pt work_dirs/authors/converted.pth
    python tools/test.py \\
        configs/snn_yolov3/snn_yolov3_spp_voc2012_t6_authors.py \\
        work_dirs/authors/converted.pth

The checkpoint is read with ``weights_only=True``; the result loads
strictly into ``--config`` (default: the authors' config) or the tool
refuses, naming the first key that does not fit. Logic:
:mod:`mmsnn.conversion.ultralytics`.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import (convert_checkpoint_file,  # noqa: E402
                              convert_ultralytics_checkpoint)
from mmsnn.utils import CfgOptionsAction, report_input_errors  # noqa: E402

AUTHORS_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'configs/snn_yolov3/snn_yolov3_spp_voc2012_t6_authors.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert an ultralytics-style YOLOv3(-SPP) checkpoint '
        '(module_list.* keys) into an mmsnn / mmdet checkpoint.')
    parser.add_argument('src', help='ultralytics checkpoint (.pt)')
    parser.add_argument('dst', help='mmsnn checkpoint to write (.pth)')
    parser.add_argument(
        '--config', default=AUTHORS_CONFIG,
        help='config whose model the result must load into strictly '
        '(default: the authors\' config)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.bbox_head.num_classes=80')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with report_input_errors():
        num = convert_checkpoint_file(
            convert_ultralytics_checkpoint, args.src, args.dst, args.config,
            args.cfg_options)
    print(f'{num} tensors from {args.src} -> {args.dst} '
          f'(loads strictly into {osp.basename(args.config)})')


if __name__ == '__main__':
    main()
