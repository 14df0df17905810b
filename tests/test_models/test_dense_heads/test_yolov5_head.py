"""YOLOv5Head: ultralytics' loss (``utils/loss.py`` ``ComputeLoss``, as
EMS-YOLO ships it, re-stated here), its layout, biases and inference."""
import math

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from mmsnn.utils.input_error import ConfigValueError
from ..test_losses.test_yolov5_ciou_loss import their_ciou

ANCHORS = [[(10, 14), (23, 27), (37, 58)], [(81, 82), (135, 169), (344, 319)]]
STRIDES = (16, 32)


def head(num_classes=3, **kwargs):
    cfg = dict(type='YOLOV5Head', num_classes=num_classes,
               in_channels=[8, 16],
               anchor_generator=dict(type='YOLOAnchorGenerator',
                                     base_sizes=ANCHORS, strides=STRIDES),
               loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=0.3),
               loss_obj=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.7),
               loss_bbox=dict(type='YOLOV5CIoULoss', loss_weight=0.075),
               test_cfg=dict(nms_pre=1000, min_bbox_size=0, conf_thr=0.001,
                             score_thr=0.001,
                             nms=dict(type='nms', iou_threshold=0.6),
                             max_per_img=100))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def their_loss(p, targets, anchors, gains, balance=(4.0, 1.0), anchor_t=4.0):
    """ultralytics' ComputeLoss (no label smoothing, no focal loss).

    ``p``: per level ``[B, A, h, w, 5+K]``; ``targets``: ``[N, 6]`` rows
    (image, class, x, y, w, h), xywh normalised to the image; ``anchors``:
    ``[L, A, 2]`` in grid units; ``gains``: (box, obj, cls).
    """
    bce = torch.nn.BCEWithLogitsLoss()
    na, nt = anchors.shape[1], targets.shape[0]
    gain = torch.ones(7)
    ai = torch.arange(na).float().view(na, 1).repeat(1, nt)
    targets = torch.cat((targets.repeat(na, 1, 1), ai[:, :, None]), 2)
    g = 0.5
    off = torch.tensor([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]).float() * g
    lcls, lbox, lobj = torch.zeros(1), torch.zeros(1), torch.zeros(1)
    for i, pi in enumerate(p):
        gain[2:6] = torch.tensor(pi.shape)[[3, 2, 3, 2]]
        t = targets * gain
        r = t[:, :, 4:6] / anchors[i][:, None]
        t = t[torch.max(r, 1 / r).max(2)[0] < anchor_t]
        gxy = t[:, 2:4]
        gxi = gain[[2, 3]] - gxy
        j, k = ((gxy % 1 < g) & (gxy > 1)).T
        l, m = ((gxi % 1 < g) & (gxi > 1)).T
        j = torch.stack((torch.ones_like(j), j, k, l, m))
        t = t.repeat((5, 1, 1))[j]
        offsets = (torch.zeros_like(gxy)[None] + off[:, None])[j]
        b, c = t[:, :2].long().T
        gxy, gwh = t[:, 2:4], t[:, 4:6]
        gij = (gxy - offsets).long()
        gi, gj = gij.T
        a = t[:, 6].long()
        gj.clamp_(0, pi.shape[2] - 1)  # views of gij: tbox sees them clamped
        gi.clamp_(0, pi.shape[3] - 1)
        tbox = torch.cat((gxy - gij, gwh), 1)
        tobj = torch.zeros_like(pi[..., 0])
        if b.shape[0]:
            ps = pi[b, a, gj, gi]
            pxy = ps[:, :2].sigmoid() * 2 - 0.5
            pwh = (ps[:, 2:4].sigmoid() * 2)**2 * anchors[i][a]
            iou = their_ciou(torch.cat((pxy, pwh), 1), tbox)
            lbox += (1.0 - iou).mean()
            tobj[b, a, gj, gi] = iou.detach().clamp(0).type(tobj.dtype)
            if ps.shape[1] - 5 > 1:
                tc = torch.zeros_like(ps[:, 5:])
                tc[range(b.shape[0]), c] = 1.0
                lcls += bce(ps[:, 5:], tc)
        lobj += bce(pi[..., 4], tobj) * balance[i]
    bs = p[0].shape[0]
    return lbox * gains[0] * bs, lobj * gains[1] * bs, lcls * gains[2] * bs


def gt_batch(num_imgs, size, seed, num_classes=3):
    g = torch.Generator().manual_seed(seed)
    gts = []
    for i in range(num_imgs):
        n = 3 + i
        xy = torch.rand(n, 2, generator=g) * size * 0.8
        wh = torch.rand(n, 2, generator=g) * size * 0.5 + 4
        boxes = torch.cat([xy, (xy + wh).clamp(max=size)], 1)
        # centres in the first cells and at the last ones, where the
        # neighbour rules (> 1 cell from either border) decide, and one on
        # the right border, whose cell is clamped into the map
        corners = torch.tensor([[2., 3., 10., 9.], [12., 14., 28., 24.],
                                [size - 9., size - 20., size, size - 4.],
                                [size - 8., 40., size + 8., 52.]])
        gts.append(InstanceData(
            bboxes=torch.cat([boxes, corners]),
            labels=torch.randint(0, num_classes, (n + 4, ), generator=g)))
    return gts


@pytest.mark.parametrize('num_classes', [3, 1])
def test_loss_is_ultralytics(num_classes):
    torch.manual_seed(0)
    h = head(num_classes)
    size = 128
    maps = [torch.randn(2, 3 * (5 + num_classes), size // s, size // s,
                        requires_grad=True) for s in STRIDES]
    gts = gt_batch(2, size, 0, num_classes)
    metas = [dict(img_shape=(size, size))] * 2
    ours = h.loss_by_feat(maps, gts, metas)
    # their inputs: [B, A, h, w, 5+K] and normalised xywh targets
    p = [m.view(2, 3, 5 + num_classes, *m.shape[2:]).permute(0, 1, 3, 4, 2)
         for m in maps]
    rows = []
    for i, gt in enumerate(gts):
        b = gt.bboxes
        rows.append(torch.cat([
            torch.full((len(b), 1), float(i)), gt.labels[:, None].float(),
            (b[:, :2] + b[:, 2:]) / 2 / size, (b[:, 2:] - b[:, :2]) / size
        ], 1))
    anchors = torch.tensor(ANCHORS).float() / torch.tensor(
        STRIDES).float()[:, None, None]
    lbox, lobj, lcls = their_loss(p, torch.cat(rows), anchors,
                                  gains=(0.075, 1.7, 0.3))
    torch.testing.assert_close(ours['loss_bbox'], lbox[0], rtol=1e-5,
                               atol=1e-6)
    torch.testing.assert_close(ours['loss_obj'], lobj[0], rtol=1e-5,
                               atol=1e-6)
    torch.testing.assert_close(ours['loss_cls'], lcls[0], rtol=1e-5,
                               atol=1e-6)
    assert float(lbox) > 0 and float(lobj) > 0
    assert (float(lcls) > 0) == (num_classes > 1)
    # the same gradients too
    grads = torch.autograd.grad(sum(ours.values()), maps)
    their_grads = torch.autograd.grad((lbox + lobj + lcls).sum(), maps)
    for a, b in zip(grads, their_grads):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_no_ground_truth():
    h = head()
    maps = [torch.randn(1, 24, 128 // s, 128 // s, requires_grad=True)
            for s in STRIDES]
    empty = InstanceData(bboxes=torch.zeros(0, 4),
                         labels=torch.zeros(0, dtype=torch.long))
    losses = h.loss_by_feat(maps, [empty], [dict(img_shape=(128, 128))])
    assert losses['loss_bbox'] == 0 and losses['loss_cls'] == 0
    # objectness: BCE against 0 everywhere, per-level weights 4 and 1
    objectness = [m.view(1, 3, 8, *m.shape[2:])[:, :, 4] for m in maps]
    expected = sum(
        1.7 * w * torch.nn.functional.binary_cross_entropy_with_logits(
            o, torch.zeros_like(o)) for o, w in zip(objectness, (4.0, 1.0)))
    torch.testing.assert_close(losses['loss_obj'], expected)
    sum(losses.values()).backward()
    assert all(m.grad is not None for m in maps)


def test_bias_initialisation_is_ultralytics():
    h = head(num_classes=4)
    h.init_weights()
    for conv, stride in zip(h.convs_pred, STRIDES):
        bias = conv.bias.view(3, 9)
        bound = 1 / math.sqrt(conv.in_channels)  # PyTorch's default init
        obj = math.log(8 / (640 / stride)**2)
        cls = math.log(0.6 / (4 - 0.999999))
        assert (bias[:, 4] - obj).abs().max() <= bound
        assert (bias[:, 5:] - cls).abs().max() <= bound
        assert bias[:, :4].abs().max() <= bound


def test_predicts_ultralytics_boxes_and_scores():
    torch.manual_seed(0)
    h = head(num_classes=2)
    maps = [torch.randn(1, 21, 64 // s, 64 // s) * 2 for s in STRIDES]
    # one clear detection: P5 cell (1, 0), anchor 1, class 1
    maps[1][0, 7:14] = -8
    maps[1][0, 7 + 4] = maps[1][0, 7 + 6] = 8
    maps[1][0, 7:9, 1, 0] = torch.tensor([0.3, -0.2])
    maps[1][0, 9:11, 1, 0] = torch.tensor([0.1, -0.4])
    for m in maps:
        m[:, 4::7] = -8  # nothing else
    maps[1][0, 7 + 4, 1, 0] = 8
    cfg = ConfigDict(h.test_cfg)
    result = h.predict_by_feat(
        [m.clone() for m in maps],
        [dict(img_shape=(64, 64), ori_shape=(64, 64),
              scale_factor=(1., 1.))], cfg=cfg, rescale=False)[0]
    y = torch.tensor([0.3, -0.2, 0.1, -0.4]).sigmoid()
    xy = (y[:2] * 2 - 0.5 + torch.tensor([0., 1.])) * 32
    wh = (y[2:] * 2)**2 * torch.tensor([135., 169.])
    best = result.scores.argmax()
    torch.testing.assert_close(result.bboxes[best],
                               torch.cat([xy - wh / 2, xy + wh / 2]),
                               rtol=1e-5, atol=1e-4)
    assert result.labels[best] == 1
    torch.testing.assert_close(result.scores[best],
                               torch.tensor(8.).sigmoid()**2)


def test_one_objectness_weight_per_level():
    with pytest.raises(ConfigValueError, match='obj_level_weights'):
        head(obj_level_weights=[4.0, 1.0, 0.4])
