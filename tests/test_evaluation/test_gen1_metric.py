"""Gen1Metric against pycocotools run directly on the same boxes."""
import contextlib
import io

import numpy as np
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmsnn.evaluation import Gen1Metric

CLASSES = ('car', 'pedestrian')


def _sample(t, gt, dt):
    """gt: [(x1, y1, x2, y2, label)], dt: [(x1, y1, x2, y2, score, label)]."""
    gt, dt = np.array(gt, np.float32).reshape(-1, 5), \
        np.array(dt, np.float32).reshape(-1, 6)
    return dict(
        timestamp=t, ori_shape=(240, 304),
        gt_instances=dict(bboxes=torch.from_numpy(gt[:, :4]),
                          labels=torch.from_numpy(gt[:, 4]).long()),
        pred_instances=dict(bboxes=torch.from_numpy(dt[:, :4]),
                            scores=torch.from_numpy(dt[:, 4]),
                            labels=torch.from_numpy(dt[:, 5]).long()))


def _metric(samples):
    metric = Gen1Metric()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def _pycocotools(samples):
    """COCO AP computed directly, frames as images, x/y/w/h boxes."""
    images, anns, dets = [], [], []
    for i, s in enumerate(samples, 1):
        images.append(dict(id=i, width=304, height=240))
        for b, l in zip(s['gt_instances']['bboxes'].tolist(),
                        s['gt_instances']['labels'].tolist()):
            anns.append(dict(id=len(anns) + 1, image_id=i, category_id=l + 1,
                             iscrowd=0, area=(b[2] - b[0]) * (b[3] - b[1]),
                             bbox=[b[0], b[1], b[2] - b[0], b[3] - b[1]]))
        for b, sc, l in zip(s['pred_instances']['bboxes'].tolist(),
                            s['pred_instances']['scores'].tolist(),
                            s['pred_instances']['labels'].tolist()):
            dets.append(dict(image_id=i, category_id=l + 1, score=sc,
                             bbox=[b[0], b[1], b[2] - b[0], b[3] - b[1]]))
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = dict(images=images, annotations=anns, categories=[
            dict(id=1, name='car'), dict(id=2, name='pedestrian')])
        gt.createIndex()
        ev = COCOeval(gt, gt.loadRes(dets), 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats


def test_perfect_detections_give_one():
    samples = [_sample(200_000, [(10, 10, 60, 50, 0), (100, 40, 120, 100, 1)],
                       [(10, 10, 60, 50, 0.9, 0), (100, 40, 120, 100, .8, 1)]),
               _sample(250_000, [(30, 30, 90, 80, 0)],
                       [(30, 30, 90, 80, 0.7, 0)])]
    result = _metric(samples)
    assert result['mAP'] == 1.0 and result['mAP_50'] == 1.0


def test_shifted_box_gives_the_iou_determined_value():
    # A 50x50 box shifted by 12 px: IoU = 38/62 = 0.613, a match at the IoU
    # thresholds 0.50, 0.55, 0.60 of the ten 0.50:0.05:0.95: mAP = 3/10.
    samples = [_sample(200_000, [(100, 100, 150, 150, 0)],
                       [(112, 100, 162, 150, 0.9, 0)])]
    result = _metric(samples)
    assert result['mAP'] == pytest.approx(0.3)
    assert result['mAP_50'] == 1.0 and result['mAP_75'] == 0.0


def test_equals_pycocotools_on_a_mixed_case():
    rng = np.random.default_rng(0)
    samples = []
    for f in range(6):
        gt, dt = [], []
        for _ in range(rng.integers(1, 4)):
            x, y = rng.uniform(0, 200, 2)
            w, h = rng.uniform(20, 80, 2)
            label = int(rng.integers(0, 2))
            gt.append((x, y, x + w, y + h, label))
            jitter = rng.normal(0, 6, 4)
            dt.append((x + jitter[0], y + jitter[1], x + w + jitter[2],
                       y + h + jitter[3], rng.uniform(0.3, 1), label))
        for _ in range(2):  # false positives
            x, y = rng.uniform(0, 200, 2)
            dt.append((x, y, x + 40, y + 40, rng.uniform(0, 0.6),
                       int(rng.integers(0, 2))))
        samples.append(_sample(200_000 + 50_000 * f, gt, dt))
    result = _metric(samples)
    stats = _pycocotools(samples)
    assert 0 < result['mAP'] < 1
    assert result['mAP'] == pytest.approx(stats[0], abs=1e-4)
    assert result['mAP_50'] == pytest.approx(stats[1], abs=1e-4)


def test_protocol_filter_applies_to_detections_and_ground_truth():
    # A detection too small for the protocol (8 px wide) is dropped, so it
    # is no false positive; a frame in the first 0.1 s is not evaluated.
    samples = [_sample(200_000, [(10, 10, 60, 50, 0)],
                       [(10, 10, 60, 50, 0.5, 0), (200, 10, 208, 60, .9, 0)]),
               _sample(50_000, [(10, 10, 60, 50, 0)], [])]
    assert _metric(samples)['mAP'] == 1.0


def test_no_detections_give_zero():
    assert _metric([_sample(200_000, [(10, 10, 60, 50, 0)], [])])['mAP'] == 0
