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
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import (convert_checkpoint_file,  # noqa: E402
                              convert_ultralytics_checkpoint,
                              converter_arg_parser)
from mmsnn.utils import report_input_errors  # noqa: E402

AUTHORS_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'configs/snn_yolov3/snn_yolov3_spp_voc2012_t6_authors.py')


def parse_args(argv=None):
    return converter_arg_parser(
        'Convert an ultralytics-style YOLOv3(-SPP) checkpoint (module_list.* '
        'keys) into an mmsnn / mmdet checkpoint.',
        'ultralytics checkpoint (.pt)',
        'config whose model the result must load into strictly (default: '
        "the authors' config)", AUTHORS_CONFIG).parse_args(argv)


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
