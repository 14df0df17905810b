"""Convert an EMS-YOLO checkpoint (BICLab/EMS-YOLO, ultralytics YOLOv5
format) into an mmsnn checkpoint.

EMS-YOLO saves whole pickled models; mmsnn reads state_dicts only
(``weights_only=True``). Re-save theirs once where their code imports::

    ckpt = torch.load('best.pt')
    torch.save({'model': (ckpt['ema'] or ckpt['model']).float()
                .state_dict()}, 'best_state.pt')

then::

    python tools/model_converters/ems_yolo_to_mmsnn.py best_state.pt \\
        work_dirs/ems/converted.pth \\
        --config configs/ems_yolo/ems-yolo_resnet34-cat_8xb8-640-150e_coco_t5.py

The config must build the checkpoint's yaml (arch, classes, anchors); the
result loads strictly into it, or the tool refuses, naming the first key
that does not fit. Logic: :mod:`mmsnn.conversion.ems_yolo`.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import (convert_checkpoint_file,  # noqa: E402
                              convert_ems_yolo_checkpoint,
                              converter_arg_parser)


def parse_args(argv=None):
    return converter_arg_parser(
        'Convert an EMS-YOLO checkpoint (model.{i}.* keys) into an mmsnn '
        'checkpoint.', 'EMS-YOLO state_dict checkpoint (.pt)',
        'EMS-YOLO config (configs/ems_yolo/) of the checkpoint\'s yaml'
    ).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    state = convert_checkpoint_file(convert_ems_yolo_checkpoint, args)
    print(f'{len(state)} tensors from {args.src} -> {args.dst} '
          f'(loads strictly into {osp.basename(args.config)})')


if __name__ == '__main__':
    main()
