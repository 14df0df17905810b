"""COCO AP over labelled frames, as Prophesee's Gen1 evaluation does it."""
import contextlib
import io
from typing import Dict, List, Sequence, Tuple

import numpy as np

#: Names of COCOeval's twelve summary numbers, in its order.
COCO_STATS = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l', 'AR_1',
              'AR_10', 'AR_100', 'AR_s', 'AR_m', 'AR_l')


def frames_to_coco(gt_frames: Sequence[dict], dt_frames: Sequence[dict],
                   classes: Sequence[str], height: int,
                   width: int) -> Tuple[dict, List[dict]]:
    """Ground truth and detections of labelled frames as COCO dicts.

    Args:
        gt_frames (list[dict]): Per frame, ``bboxes`` ``[N, 4]`` (x1, y1,
            x2, y2) and ``labels`` ``[N]``.
        dt_frames (list[dict]): Per frame (same order), ``bboxes``
            ``[M, 4]``, ``scores`` ``[M]``, ``labels`` ``[M]``.
        classes (Sequence[str]): Class names; label ``i`` is category
            ``i + 1``.
        height, width (int): Sensor size (recorded with each image).

    Returns:
        tuple: ``(dataset, results)`` for ``COCO.dataset`` and
        ``COCO.loadRes``; image ``i + 1`` is frame ``i``.
    """
    images, annotations, results = [], [], []
    for i, (gt, dt) in enumerate(zip(gt_frames, dt_frames)):
        image_id = i + 1
        images.append(dict(id=image_id, height=height, width=width,
                           file_name=f'{image_id}'))
        for box, label in zip(np.asarray(gt['bboxes'], np.float64),
                              gt['labels']):
            w, h = box[2] - box[0], box[3] - box[1]
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id,
                category_id=int(label) + 1, iscrowd=0, area=float(w * h),
                bbox=[float(box[0]), float(box[1]), float(w), float(h)]))
        for box, score, label in zip(np.asarray(dt['bboxes'], np.float64),
                                     dt['scores'], dt['labels']):
            results.append(dict(
                image_id=image_id, category_id=int(label) + 1,
                score=float(score),
                bbox=[float(box[0]), float(box[1]),
                      float(box[2] - box[0]), float(box[3] - box[1])]))
    categories = [dict(id=i + 1, name=name, supercategory='none')
                  for i, name in enumerate(classes)]
    dataset = dict(info={}, licenses=[], type='instances', images=images,
                   annotations=annotations, categories=categories)
    return dataset, results


def coco_eval_frames(gt_frames: Sequence[dict], dt_frames: Sequence[dict],
                     classes: Sequence[str], height: int,
                     width: int) -> Tuple[Dict[str, float], str]:
    """pycocotools ``COCOeval('bbox')`` over the frames.

    Args: as :func:`frames_to_coco`.

    Returns:
        tuple: ``({name: value} for :data:`COCO_STATS`, the printed
        summary)``. Without any detection every value is 0.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    dataset, results = frames_to_coco(gt_frames, dt_frames, classes, height,
                                      width)
    if not results:  # loadRes cannot take an empty list
        return {name: 0.0 for name in COCO_STATS}, 'no detections'
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        coco_gt = COCO()
        coco_gt.dataset = dataset
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(results)
        coco_eval = COCOeval(coco_gt, coco_dt, 'bbox')
        coco_eval.params.imgIds = [im['id'] for im in dataset['images']]
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
    return {name: float(v) for name, v in zip(COCO_STATS, coco_eval.stats)
            }, out.getvalue()
