"""SpikeYOLOHead against ultralytics' YOLOv8 formulas (as SpikeYOLO's fork
of ultralytics 8.0 computes them): box decoding, CIoU, task-aligned
assignment and the loss, each re-written here from their code."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmdet.models.losses import CIoULoss
from mmengine.structures import InstanceData

from mmsnn.models.dense_heads import SpikeYOLOHead
from mmsnn.models.losses import YOLOv8CIoULoss, yolov8_ciou
from mmsnn.models.task_modules import YOLOv8TaskAlignedAssigner
from mmsnn.models.time.folding import mark_time_folded

STRIDES = (8, 16, 32)
SIZES = ((8, 8), (4, 4), (2, 2))  # a 64 x 64 image
REG_MAX, NUM_CLASSES = 16, 3


# -- ultralytics' formulas, written from their code -------------------------
def their_anchors():
    """make_anchors(feats, strides, 0.5): cell centres in grid units."""
    points, strides = [], []
    for (h, w), s in zip(SIZES, STRIDES):
        sy, sx = torch.meshgrid(torch.arange(h) + .5, torch.arange(w) + .5,
                                indexing='ij')
        points.append(torch.stack((sx, sy), -1).view(-1, 2))
        strides.append(torch.full((h * w, 1), float(s)))
    return torch.cat(points), torch.cat(strides)


def their_dist2bbox(distance, anchor_points):
    lt, rb = distance.chunk(2, -1)
    return torch.cat((anchor_points - lt, anchor_points + rb), -1)


def their_integral(dist):
    """softmax over reg_max bins, expectation (SpikeDFL / bbox_decode)."""
    b, a, c = dist.shape
    return dist.view(b, a, 4, c // 4).softmax(3).matmul(
        torch.arange(REG_MAX, dtype=torch.float))


def their_ciou(box1, box2, eps=1e-7):
    """bbox_iou(..., xywh=False, CIoU=True)."""
    b1_x1, b1_y1, b1_x2, b1_y2 = box1.chunk(4, -1)
    b2_x1, b2_y1, b2_x2, b2_y2 = box2.chunk(4, -1)
    w1, h1 = b1_x2 - b1_x1, b1_y2 - b1_y1 + eps
    w2, h2 = b2_x2 - b2_x1, b2_y2 - b2_y1 + eps
    inter = (b1_x2.minimum(b2_x2) - b1_x1.maximum(b2_x1)).clamp(0) * \
        (b1_y2.minimum(b2_y2) - b1_y1.maximum(b2_y1)).clamp(0)
    iou = inter / (w1 * h1 + w2 * h2 - inter + eps)
    cw = b1_x2.maximum(b2_x2) - b1_x1.minimum(b2_x1)
    ch = b1_y2.maximum(b2_y2) - b1_y1.minimum(b2_y1)
    c2 = cw**2 + ch**2 + eps
    rho2 = ((b2_x1 + b2_x2 - b1_x1 - b1_x2)**2 +
            (b2_y1 + b2_y2 - b1_y1 - b1_y2)**2) / 4
    v = (4 / math.pi**2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1))**2
    alpha = v / (v - iou + (1 + eps))
    return (iou - (rho2 / c2 + v * alpha)).squeeze(-1)


def their_tal(scores, boxes, points, labels, gts, topk=10, alpha=0.5,
              beta=6.0, eps=1e-9):
    """TaskAlignedAssigner for one image (no padded gts): target boxes and
    target scores per anchor."""
    g, a = len(gts), len(points)
    inside = torch.cat((points[None] - gts[:, None, :2],
                        gts[:, None, 2:] - points[None]), -1).amin(-1) > eps
    overlaps = torch.zeros(g, a)
    pairs = inside.nonzero(as_tuple=True)
    overlaps[pairs] = their_ciou(gts[pairs[0]], boxes[pairs[1]]).clamp(0)
    bbox_scores = torch.zeros(g, a)
    bbox_scores[pairs] = scores[pairs[1], labels[pairs[0]]]
    metric = bbox_scores.pow(alpha) * overlaps.pow(beta)
    idx = metric.topk(topk, -1).indices
    count = torch.zeros(g, a).scatter_add_(1, idx, torch.ones(g, topk))
    mask_pos = (count == 1).float() * inside
    fg = mask_pos.sum(0)
    if fg.max() > 1:
        best = F.one_hot(overlaps.argmax(0), g).t().float()
        mask_pos = torch.where(fg[None] > 1, best, mask_pos)
    gt_idx, fg = mask_pos.argmax(0), mask_pos.sum(0) > 0
    target_scores = F.one_hot(labels[gt_idx], NUM_CLASSES) * fg[:, None]
    metric = metric * mask_pos
    norm = (metric * (overlaps * mask_pos).amax(-1, keepdim=True) /
            (metric.amax(-1, keepdim=True) + eps)).amax(0)
    return gts[gt_idx], target_scores * norm[:, None], fg


def their_loss(cls_scores, bbox_dists, gt_list):
    """v8DetectionLoss: (box, cls, dfl) with gains 7.5, 0.5, 1.5, times the
    batch size."""
    anchors, strides = their_anchors()
    b = cls_scores[0].shape[0]
    logits = torch.cat([c.flatten(2) for c in cls_scores], 2).transpose(1, 2)
    dist = torch.cat([d.flatten(2) for d in bbox_dists], 2).transpose(1, 2)
    pred = their_dist2bbox(their_integral(dist), anchors)  # grid units
    targets = [their_tal(logits[i].sigmoid(), pred[i] * strides,
                         anchors * strides, labels, gts)
               for i, (gts, labels) in enumerate(gt_list)]
    tboxes = torch.stack([t[0] for t in targets]) / strides
    tscores = torch.stack([t[1] for t in targets])
    fg = torch.stack([t[2] for t in targets])
    total = max(tscores.sum(), 1)
    cls = F.binary_cross_entropy_with_logits(
        logits, tscores, reduction='none').sum() / total
    weight = tscores.sum(-1)[fg]
    box = ((1 - their_ciou(pred[fg], tboxes[fg])) * weight).sum() / total
    ltrb = torch.cat((anchors - tboxes[..., :2], tboxes[..., 2:] - anchors),
                     -1).clamp(0, REG_MAX - 1 - 0.01)[fg]
    tl = ltrb.long()
    wl = tl + 1 - ltrb
    pd = dist[fg].view(-1, REG_MAX)
    dfl = (F.cross_entropy(pd, tl.view(-1), reduction='none').view(tl.shape)
           * wl + F.cross_entropy(pd, (tl + 1).view(-1), reduction='none')
           .view(tl.shape) * (1 - wl)).mean(-1)
    dfl = (dfl * weight).sum() / total
    return 7.5 * box * b, 0.5 * cls * b, 1.5 * dfl * b


# -- the tests --------------------------------------------------------------
def head(time_steps=1):
    return SpikeYOLOHead(NUM_CLASSES, [16, 32, 64], time_steps=time_steps)


def random_outputs(batch=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    cls = [torch.randn(batch, NUM_CLASSES, h, w, generator=g)
           for h, w in SIZES]
    dist = [torch.randn(batch, 4 * REG_MAX, h, w, generator=g) * 2
            for h, w in SIZES]
    return cls, dist


def random_gts(seed=0, num=4):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(num, 2, generator=g) * 40
    wh = torch.rand(num, 2, generator=g) * 30 + 6
    return (torch.cat((xy, xy + wh), 1).clamp(0, 64),
            torch.randint(0, NUM_CLASSES, (num, ), generator=g))


def test_forward_is_the_mean_over_time_of_both_branches():
    torch.manual_seed(0)
    h = head(time_steps=2)
    feats = mark_time_folded(
        [torch.randn(4, c, *s) for c, s in zip((16, 32, 64), SIZES)], 2)
    cls, dist = h(feats)
    assert [c.shape for c in cls] == [(2, 3, 8, 8), (2, 3, 4, 4),
                                      (2, 3, 2, 2)]
    level = h.cv2[1](feats[1])  # [T*B, 64, 4, 4]
    torch.testing.assert_close(dist[1], level.view(2, 2, 64, 4, 4).mean(0))


def test_decoded_boxes_are_ultralytics():
    h = head()
    h.test_cfg.update(nms_pre=100000, score_thr=-1.)
    cls, dist = random_outputs(batch=1)
    cls = [c[:, :1] for c in cls]  # one class: one box per prior
    h.num_classes = h.cls_out_channels = 1
    (result, ) = h.predict_by_feat(
        cls, dist, [dict(img_shape=(64, 64), scale_factor=(1., 1.))],
        with_nms=False)
    anchors, strides = their_anchors()
    flat = torch.cat([d.flatten(2) for d in dist], 2).transpose(1, 2)
    boxes = their_dist2bbox(their_integral(flat), anchors)[0] * strides
    scores = torch.cat([c.flatten() for c in cls]).sigmoid()
    order = scores.argsort(descending=True)
    ours = result.scores.argsort(descending=True)  # sorted per level
    torch.testing.assert_close(result.scores[ours], scores[order])
    # clipped to the image before NMS (mmdet); ultralytics clips after
    torch.testing.assert_close(result.bboxes[ours],
                               boxes[order].clamp(0, 64))


def test_ciou_is_ultralytics_not_mmdets():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(50, 2, generator=g) * 10
    b = torch.rand(50, 2, generator=g) * 10
    box1 = torch.cat((a, a + torch.rand(50, 2, generator=g) * 8 + 1), 1)
    box2 = torch.cat((b, b + torch.rand(50, 2, generator=g) * 8 + 1), 1)
    theirs = their_ciou(box1, box2)
    torch.testing.assert_close(yolov8_ciou(box1, box2), theirs)
    loss = YOLOv8CIoULoss(reduction='none')(box1, box2)
    torch.testing.assert_close(loss, 1 - theirs)
    assert not torch.allclose(CIoULoss(reduction='none')(box1, box2),
                              1 - theirs, atol=1e-3)


def test_assignment_is_ultralytics_task_aligned_assignment():
    anchors, strides = their_anchors()
    points = anchors * strides
    g = torch.Generator().manual_seed(1)
    boxes = torch.cat((points - torch.rand(84, 2, generator=g) * 20,
                       points + torch.rand(84, 2, generator=g) * 20), 1)
    scores = torch.rand(84, NUM_CLASSES, generator=g)
    gts, labels = random_gts(1, num=6)  # overlapping boxes
    result = YOLOv8TaskAlignedAssigner(topk=10).assign(
        InstanceData(priors=points, bboxes=boxes, scores=scores),
        InstanceData(bboxes=gts, labels=labels))
    tboxes, tscores, fg = their_tal(scores, boxes, points, labels, gts)
    assert fg.sum() > 10
    assert torch.equal(result.gt_inds > 0, fg)
    torch.testing.assert_close(gts[result.gt_inds[fg] - 1], tboxes[fg])
    assert torch.equal(result.labels[fg], tscores[fg].argmax(-1))


@pytest.mark.parametrize('seed', [0, 1])
def test_loss_is_ultralytics_v8_detection_loss(seed):
    h = head()
    cls, dist = random_outputs(batch=2, seed=seed)
    gt_list = [random_gts(seed), random_gts(seed + 10, num=2)]
    metas = [dict(img_shape=(64, 64), batch_input_shape=(64, 64))] * 2
    losses = h.loss_by_feat(
        cls, dist, [InstanceData(bboxes=b, labels=lab) for b, lab in gt_list],
        metas)
    box, cls_loss, dfl = their_loss(cls, dist, gt_list)
    assert box > 0 and dfl > 0
    torch.testing.assert_close(losses['loss_bbox'], box, rtol=1e-5, atol=0)
    torch.testing.assert_close(losses['loss_cls'], cls_loss, rtol=1e-5,
                               atol=0)
    torch.testing.assert_close(losses['loss_dfl'], dfl, rtol=1e-5, atol=0)


def test_no_ground_truth_gives_zero_box_losses():
    h = head()
    cls, dist = random_outputs(batch=1)
    empty = InstanceData(bboxes=torch.zeros(0, 4),
                         labels=torch.zeros(0, dtype=torch.long))
    losses = h.loss_by_feat(cls, dist, [empty], [dict(img_shape=(64, 64))])
    assert losses['loss_bbox'] == 0 and losses['loss_dfl'] == 0
    assert losses['loss_cls'] > 0


def test_prediction_biases_are_yolov8s():
    h = head()
    h.init_weights()
    assert torch.all(h.cv2[0][-1].conv.bias == 1)
    torch.testing.assert_close(
        h.cv3[2][-1].conv.bias,
        torch.full((3, ), math.log(5 / 3 / (640 / 32)**2)))
