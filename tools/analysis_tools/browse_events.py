"""Draw event samples: ON/OFF frames with ground truth and detections.

For each chosen sample of a config's data set (after its test pipeline),
writes

* ``OUT_DIR/<sample>_strip.png``: the whole window, then one panel per time
  bin (what each SNN step sees), ON events red and OFF events blue on white;
  ground truth green, detections (with ``CHECKPOINT``) orange with scores;
* ``OUT_DIR/<sample>.gif``: the T bins as an animation.

Example::

    python tools/analysis_tools/browse_events.py \\
        configs/events/snn_yolov3_minigen1_t4.py \\
        --checkpoint work_dirs/snn_yolov3_minigen1_t4/epoch_10.pth \\
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

import mmsnn  # noqa: E402,F401  (registers components, safe loading)
from mmsnn.utils import report_input_errors  # noqa: E402

GT_COLOR, DET_COLOR = (0, 170, 0), (0, 140, 255)  # BGR
ON_COLOR, OFF_COLOR = np.array([40, 40, 230.]), np.array([230, 90, 20.])


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='draw its detections too')
    parser.add_argument('--split', default='test',
                        choices=('train', 'val', 'test'),
                        help='which dataloader of the config (default test)')
    parser.add_argument('--indices', type=int, nargs='+', default=[0])
    parser.add_argument('--out-dir', default='outputs/browse_events')
    parser.add_argument('--score-thr', type=float, default=0.3)
    parser.add_argument('--zoom', type=int, default=2,
                        help='pixels per frame pixel in the pictures')
    return parser.parse_args()


def event_picture(frame: np.ndarray, zoom: int = 2) -> np.ndarray:
    """``[C, H, W]`` frame -> ``[H*zoom, W*zoom, 3]`` uint8 BGR.

    With 2 channels (OFF, ON counts) each pixel is tinted by its polarity
    mix, darker with more events; other representations (voxel grids,
    signed) show positive values red and negative blue.
    """
    if frame.shape[0] == 2:
        off, on = frame[0], frame[1]
    else:
        total = frame.sum(0)
        on, off = np.maximum(total, 0), np.maximum(-total, 0)
    count = on + off
    strength = np.clip(count / max(np.percentile(count[count > 0], 95), 1e-6)
                       if (count > 0).any() else count, 0, 1)[..., None]
    share = np.where(count > 0, on / np.maximum(count, 1e-6), 0.5)[..., None]
    color = share * ON_COLOR + (1 - share) * OFF_COLOR
    img = 255 * (1 - strength) + color * strength
    img = img.astype(np.uint8)
    return cv2.resize(img, None, fx=zoom, fy=zoom,
                      interpolation=cv2.INTER_NEAREST)


def draw_boxes(img, boxes, color, zoom, labels=None, scores=None,
               classes=()):
    for i, box in enumerate(boxes):
        x1, y1, x2, y2 = (np.asarray(box) * zoom).round().astype(int)
        cv2.rectangle(img, (x1, y1), (x2, y2), color, 1)
        text = classes[labels[i]] if labels is not None else ''
        if scores is not None:
            text += f' {scores[i]:.2f}'
        if text:
            cv2.putText(img, text.strip(), (x1 + 2, max(y1 - 3, 8)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.35, color, 1,
                        cv2.LINE_AA)
    return img


def sample_panels(frames: np.ndarray, gt, dets, classes, zoom: int):
    """``[T, C, H, W]`` -> [whole window, bin 0, ..., bin T-1] pictures."""
    panels = [frames.sum(0)] + list(frames)
    titles = ['window'] + [f'bin {t}' for t in range(len(frames))]
    out = []
    for panel, title in zip(panels, titles):
        img = event_picture(panel, zoom)
        draw_boxes(img, gt[0], GT_COLOR, zoom, gt[1], classes=classes)
        if dets is not None:
            draw_boxes(img, dets[0], DET_COLOR, zoom, dets[1], dets[2],
                       classes)
        cv2.putText(img, title, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)
        out.append(img)
    return out


def save_gif(path: str, pictures, ms_per_frame: int = 300) -> None:
    from PIL import Image
    frames = [Image.fromarray(p[..., ::-1]) for p in pictures]
    frames[0].save(path, save_all=True, append_images=frames[1:],
                   duration=ms_per_frame, loop=0)


def main():
    args = parse_args()
    import torch
    from mmdet.registry import DATASETS, MODELS
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader'].dataset)
    classes = dataset.metainfo['classes']
    model = None
    if args.checkpoint:
        model = MODELS.build(cfg.model)
        load_checkpoint(model, args.checkpoint, map_location='cpu')
        model.eval()
    os.makedirs(args.out_dir, exist_ok=True)
    for index in args.indices:
        data = dataset[index]
        sample = data['data_samples']
        frames = data['inputs'].numpy()
        scale = np.tile(np.asarray(sample.scale_factor, np.float32), 2)
        boxes = sample.gt_instances.bboxes  # sensor pixels
        boxes = getattr(boxes, 'tensor', boxes).numpy()
        gt = (boxes * scale, sample.gt_instances.labels.numpy())
        dets = None
        if model is not None:
            with torch.no_grad():
                pred = model.test_step(pseudo_collate([data]))[0]
            keep = pred.pred_instances.scores >= args.score_thr
            inst = pred.pred_instances[keep]
            dets = (inst.bboxes.numpy() * scale, inst.labels.numpy(),
                    inst.scores.numpy())
        panels = sample_panels(frames, gt, dets, classes, args.zoom)
        name = sample.img_id.replace('@', '_t')
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
