"""Convert a SpikeYOLO checkpoint (BICLab/SpikeYOLO, ultralytics 8) into an
mmsnn checkpoint.

Example::

    python tools/model_converters/spikeyolo_to_mmsnn.py \\
        spikeyolo_23M_sd.pt work_dirs/spikeyolo/converted.pth \\
        --config configs/spikeyolo/spikeyolo_s_1xb40-640-300e_coco_t1d4.py
    python tools/test.py \\
        configs/spikeyolo/spikeyolo_s_1xb40-640-300e_coco_t1d4.py \\
        work_dirs/spikeyolo/converted.pth

ultralytics pickles the whole model under ``'model'``; mmsnn reads
state_dicts only (``weights_only=True``). Where their code is installed,
re-save once: ``torch.save({'model': ckpt['model'].float().state_dict()},
'spikeyolo_23M_sd.pt')``. The result loads strictly into ``--config`` or
the tool refuses, naming the first key that does not fit. Logic:
:mod:`mmsnn.conversion.spikeyolo`.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import mmsnn  # noqa: E402,F401  (registers the components)
from mmsnn.conversion import (convert_checkpoint_file,  # noqa: E402
                              convert_spikeyolo_checkpoint,
                              converter_arg_parser)


def parse_args(argv=None):
    return converter_arg_parser(
        'Convert a SpikeYOLO checkpoint (model.{i}.* keys of snn_yolov8.yaml)'
        ' into an mmsnn checkpoint.', 'SpikeYOLO state_dict checkpoint (.pt)',
        'SpikeYOLO config of the same scale and classes (the result must '
        'load into its model strictly)').parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    state = convert_checkpoint_file(convert_spikeyolo_checkpoint, args)
    print(f'{len(state)} tensors from {args.src} -> {args.dst} '
          f'(loads strictly into {osp.basename(args.config)})')


if __name__ == '__main__':
    main()
