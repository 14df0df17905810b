"""Detect objects in an image and save a picture with the boxes drawn.

A thin wrapper on mmdet's ``DetInferencer``::

    python tools/infer.py IMG CONFIG CHECKPOINT [--out-dir outputs/infer]
        [--score-thr 0.3] [--device cpu]

IMG is an image file or a folder of images. The pictures go to
``OUT_DIR/vis/<image name>`` and the predictions (boxes, scores, labels) to
``OUT_DIR/preds/<image name>.json``; the paths are printed. Before the
model runs, the config, the images, the output folder and the checkpoint
are checked as tools/test.py checks them (a checkpoint of another model is
refused, one trained as another model type warned of; docs/faults.md).

With an event-camera config (its test pipeline reads Prophesee events),
IMG is a ``.dat`` recording or a folder of them: each is cut into windows
of the config's length, one every ``--every-us`` (default: side by side),
and ``OUT_DIR/preds/<recording>.json`` holds the detections of every
window, ``OUT_DIR/vis/<recording>_t<end>.png`` a picture of each
(``mmsnn.engine.event_inference``).
"""
import argparse
import os
import os.path as osp
import sys

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmsnn  # noqa: E402,F401  (registers components)
from mmsnn.engine.checkpoint import (  # noqa: E402
    check_checkpoint_file, check_tool_checkpoint, load_checkpoint_to_check,
    safe_checkpoint_loading)
from mmsnn.datasets.event_windows import (  # noqa: E402
    EVENT_SUFFIX, config_window_us, event_recordings, takes_events)
from mmsnn.engine.tool_config import load_tool_config  # noqa: E402
from mmsnn.utils import (InputError, check_writable_dir,  # noqa: E402
                         probability, report_input_errors)

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Detect objects in images and save pictures of them')
    parser.add_argument(
        'img', help='image file or folder of images (event-camera configs: '
        '.dat recording or folder of them)')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out-dir', default='outputs/infer', help='where results go')
    parser.add_argument(
        '--score-thr', type=probability, default=0.3,
        help='draw boxes scoring at least this')
    parser.add_argument(
        '--device', default=None,
        help='e.g. cpu or cuda:0 (default: cuda:0 if available, else cpu)')
    parser.add_argument(
        '--every-us', type=int, default=None,
        help='event-camera configs: microseconds from one window to the '
        "next (default: the config's window length)")
    args = parser.parse_args()
    if args.every_us is not None and args.every_us <= 0:
        parser.error(f'--every-us must be positive, got {args.every_us}')
    return args


def image_paths(img):
    """The image files IMG names, or a clear error."""
    if osp.isdir(img):
        files = sorted(osp.join(img, f) for f in os.listdir(img)
                       if f.lower().endswith(IMG_EXTENSIONS))
        if not files:
            raise InputError(f'Folder {img} holds no image '
                             f'({", ".join(IMG_EXTENSIONS)}).')
        return files
    if not osp.isfile(img):
        raise InputError(f'Image {img} (absolute: {osp.abspath(img)}) does '
                         'not exist.')
    if img.endswith(EVENT_SUFFIX):
        raise InputError(
            f'{img} is an event recording, but the config takes images (its '
            'test pipeline loads images with LoadImageFromFile); pass an '
            'event-camera config (configs/events/) to detect in recordings.')
    return [img]


def infer_events(args, cfg):
    """Detect in the windows of event recordings (an event config)."""
    import torch
    from mmdet.registry import DATASETS, MODELS
    from mmengine.runner import load_checkpoint

    from mmsnn.engine.event_inference import detect_in_recordings
    files = event_recordings(args.img)
    window_us = config_window_us(cfg)
    checkpoint = load_checkpoint_to_check(args.checkpoint)
    model = MODELS.build(cfg.model)
    check_tool_checkpoint(cfg.model, args.checkpoint, model, checkpoint)
    with safe_checkpoint_loading():  # checked above, weights only
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    device = args.device or ('cuda:0' if torch.cuda.is_available() else
                             'cpu')
    model.to(device).eval()
    dataset = cfg.test_dataloader.dataset
    classes = (dataset.get('metainfo') or DATASETS.get(
        dataset.type).METAINFO)['classes']
    for done in detect_in_recordings(model, cfg, files, args.out_dir,
                                     window_us, args.every_us,
                                     args.score_thr, classes):
        print(f'{done["path"]}: {done["windows"]} windows of {window_us} us, '
              f'{done["detections"]} boxes with score >= {args.score_thr}')
        print(f'  boxes:    {done["preds"]}')
        print(f'  pictures: {done["vis"]}')


def main():
    args = parse_args()
    cfg = load_tool_config(args.config)
    check_checkpoint_file(args.checkpoint, 'Checkpoint')
    events = takes_events(cfg)
    files = event_recordings(args.img) if events else image_paths(args.img)
    for sub in ('vis', 'preds'):  # where the results go, at the end
        check_writable_dir(
            osp.join(args.out_dir, sub), f'--out-dir {args.out_dir}: folder',
            'The pictures and boxes go there; pass --out-dir with a '
            'writable directory.')
    if events:
        return infer_events(args, cfg)

    # weights only (whatever TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD says), named
    # errors for an unsafe or damaged file
    checkpoint = load_checkpoint_to_check(args.checkpoint)
    from mmdet.apis import DetInferencer
    with safe_checkpoint_loading():
        inferencer = DetInferencer(
            model=cfg, weights=args.checkpoint, device=args.device,
            show_progress=False)
    # against the model the inferencer built (mmengine loads non-strictly:
    # a checkpoint of another model must be refused before anything runs)
    check_tool_checkpoint(cfg.model, args.checkpoint, inferencer.model,
                          checkpoint)
    results = inferencer(
        files, out_dir=args.out_dir, pred_score_thr=args.score_thr,
        no_save_pred=False)
    classes = inferencer.model.dataset_meta.get('classes', ())
    for path, pred in zip(files, results['predictions']):
        kept = [(classes[label] if label < len(classes) else str(label), s)
                for label, s in zip(pred['labels'], pred['scores'])
                if s >= args.score_thr]
        name = osp.basename(path)
        found = ', '.join(f'{c} {s:.2f}' for c, s in kept[:10]) or 'nothing'
        print(f'{path}: {len(kept)} boxes with score >= {args.score_thr} '
              f'({found})')
        stem = osp.splitext(name)[0]
        print(f'  picture: {osp.join(args.out_dir, "vis", name)}')
        print(f'  boxes:   {osp.join(args.out_dir, "preds", stem + ".json")}')


if __name__ == '__main__':
    with report_input_errors():
        main()
