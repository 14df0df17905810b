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
        --config configs/ems_yolo/ems-yolo_resnet34-cat_8xb8-150e_coco_t5.py

The config must build the checkpoint's yaml (arch, classes, anchors); the
result loads strictly into it, or the tool refuses, naming the first key
that does not fit. Logic: :mod:`mmsnn.conversion.ems_yolo`.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import torch  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import convert_ems_yolo_checkpoint  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, load_tool_config,  # noqa: E402
                         report_input_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert an EMS-YOLO checkpoint (model.{i}.* keys) into '
        'an mmsnn checkpoint.')
    parser.add_argument('src', help='EMS-YOLO state_dict checkpoint (.pt)')
    parser.add_argument('dst', help='mmsnn checkpoint to write (.pth)')
    parser.add_argument(
        '--config', required=True,
        help='EMS-YOLO config (configs/ems_yolo/) of the checkpoint\'s yaml')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.bbox_head.num_classes=2')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmdet.registry import MODELS
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
        model = MODELS.build(cfg.model)
        state = convert_ems_yolo_checkpoint(args.src, model)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state,
                    meta=dict(converted_from=osp.abspath(args.src),
                              config=args.config)), args.dst)
    print(f'{len(state)} tensors from {args.src} -> {args.dst} '
          f'(loads strictly into {osp.basename(args.config)})')


if __name__ == '__main__':
    main()
