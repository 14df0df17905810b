"""Draw event samples: ON/OFF frames with ground truth and detections.

For each chosen sample of a config's data set (after its test pipeline),
writes

* ``OUT_DIR/<sample>_strip.png``: the whole window, then one panel per time
  bin (what each SNN step sees), ON events red and OFF events blue on white;
  ground truth green, detections (with ``CHECKPOINT``) orange with scores;
* ``OUT_DIR/<sample>.gif``: the T bins as an animation.

The drawing is :mod:`mmsnn.visualization.event_drawing`'s, which
``tools/test.py --show-dir`` uses for event configs too
(``EventVisualizationHook``).

Example::

    python tools/analysis_tools/browse_events.py \\
        configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py \\
        --checkpoint work_dirs/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4/epoch_10.pth \\
        --indices 0 50 100 --out-dir work_dirs/browse
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmsnn  # noqa: E402,F401  (registers components)
from mmsnn.engine import (check_checkpoint_file,  # noqa: E402
                          safe_checkpoint_loading)
from mmsnn.datasets import check_data  # noqa: E402
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import (CfgOptionsAction, InputError,  # noqa: E402
                         non_negative_int, positive_int, probability,
                         report_input_errors)
from mmsnn.visualization import (draw_event_frame,  # noqa: E402
                                 sample_boxes, sample_name)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='draw its detections too')
    parser.add_argument('--split', default='test',
                        choices=('train', 'val', 'test'),
                        help='which dataloader of the config (default test)')
    parser.add_argument('--indices', type=non_negative_int, nargs='+',
                        default=[0])
    parser.add_argument('--out-dir', default='outputs/browse_events')
    parser.add_argument('--score-thr', type=probability, default=0.3)
    parser.add_argument('--zoom', type=positive_int, default=2,
                        help='pixels per frame pixel in the pictures')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. '
        'test_dataloader.dataset.data_root=/path/to/gen1/')
    return parser.parse_args()


def check_indices(indices, num_samples: int, split: str, config: str):
    """Raise a one-paragraph error for ``--indices`` outside the split.

    Args:
        indices (list[int]): The requested sample indices.
        num_samples (int): Samples in the split.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        config (str): The config file, for the message.

    Raises:
        InputError: Naming the bad indices and the valid range.
    """
    bad = [i for i in indices if not 0 <= i < num_samples]
    if bad:
        raise InputError(
            f'--indices {" ".join(map(str, bad))}: the {split} split of '
            f'{config} has {num_samples} samples, so an index must be '
            f'between 0 and {num_samples - 1}.')


def sample_panels(frames: np.ndarray, gt, dets, classes, zoom: int):
    """``[T, C, H, W]`` -> [whole window, bin 0, ..., bin T-1] pictures."""
    panels = [frames.sum(0)] + list(frames)
    titles = ['window'] + [f'bin {t}' for t in range(len(frames))]
    return [draw_event_frame(panel, gt, dets, classes, zoom, title)
            for panel, title in zip(panels, titles)]


def save_gif(path: str, pictures, ms_per_frame: int = 300) -> None:
    from PIL import Image
    frames = [Image.fromarray(p[..., ::-1]) for p in pictures]
    frames[0].save(path, save_all=True, append_images=frames[1:],
                   duration=ms_per_frame, loop=0)


def main():
    args = parse_args()
    import torch
    from mmdet.registry import DATASETS, MODELS
    from mmengine.dataset import pseudo_collate
    from mmengine.runner import load_checkpoint

    check_checkpoint_file(args.checkpoint, '--checkpoint')
    cfg = load_tool_config(args.config, args.cfg_options)
    loader = f'{args.split}_dataloader'
    check_data(cfg, [loader], args.config)
    dataset = DATASETS.build(cfg[loader].dataset)
    check_indices(args.indices, len(dataset), args.split, args.config)
    classes = dataset.metainfo['classes']
    model = None
    if args.checkpoint:
        model = MODELS.build(cfg.model)
        with safe_checkpoint_loading():  # checked above, weights only
            load_checkpoint(model, args.checkpoint, map_location='cpu')
        model.eval()
    os.makedirs(args.out_dir, exist_ok=True)
    for index in args.indices:
        data = dataset[index]
        sample = data['data_samples']
        frames = data['inputs'].numpy()
        if model is not None:
            with torch.no_grad():
                sample = model.test_step(pseudo_collate([data]))[0]
        gt, dets = sample_boxes(sample, args.score_thr)
        panels = sample_panels(frames, gt, dets, classes, args.zoom)
        name = sample_name(sample)
        strip = osp.join(args.out_dir, f'{name}_strip.png')
        gif = osp.join(args.out_dir, f'{name}.gif')
        cv2.imwrite(strip, np.concatenate(panels, 1))
        save_gif(gif, panels[1:])
        print(f'{name}: {len(gt[0])} ground-truth boxes' +
              (f', {len(dets[0])} detections' if dets else '') +
              f'\n  strip: {strip}\n  gif:   {gif}')


if __name__ == '__main__':
    with report_input_errors():
        main()
