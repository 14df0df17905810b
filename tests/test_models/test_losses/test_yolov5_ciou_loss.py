"""YOLOv5's CIoU: ultralytics' formula (``utils/metrics.py`` ``bbox_iou``
with ``x1y1x2y2=False, CIoU=True``), re-stated here, values and gradients."""
import math

import torch

from mmsnn.models.losses import YOLOV5CIoULoss, yolov5_ciou


def their_ciou(b1, b2, eps=1e-7):
    """ultralytics' CIoU of xywh boxes, step by step as they write it."""
    b1x1, b1x2 = b1[:, 0] - b1[:, 2] / 2, b1[:, 0] + b1[:, 2] / 2
    b1y1, b1y2 = b1[:, 1] - b1[:, 3] / 2, b1[:, 1] + b1[:, 3] / 2
    b2x1, b2x2 = b2[:, 0] - b2[:, 2] / 2, b2[:, 0] + b2[:, 2] / 2
    b2y1, b2y2 = b2[:, 1] - b2[:, 3] / 2, b2[:, 1] + b2[:, 3] / 2
    inter = (torch.min(b1x2, b2x2) - torch.max(b1x1, b2x1)).clamp(0) * \
        (torch.min(b1y2, b2y2) - torch.max(b1y1, b2y1)).clamp(0)
    w1, h1 = b1x2 - b1x1, b1y2 - b1y1 + eps
    w2, h2 = b2x2 - b2x1, b2y2 - b2y1 + eps
    iou = inter / (w1 * h1 + w2 * h2 - inter + eps)
    cw = torch.max(b1x2, b2x2) - torch.min(b1x1, b2x1)
    ch = torch.max(b1y2, b2y2) - torch.min(b1y1, b2y1)
    c2 = cw**2 + ch**2 + eps
    rho2 = ((b2x1 + b2x2 - b1x1 - b1x2)**2 +
            (b2y1 + b2y2 - b1y1 - b1y2)**2) / 4
    v = (4 / math.pi**2) * torch.pow(torch.atan(w2 / h2) -
                                     torch.atan(w1 / h1), 2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


def boxes(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.cat([torch.rand(n, 2, generator=g) * 4,
                      torch.rand(n, 2, generator=g) * 3 + 0.1], dim=1)


def test_values_and_gradients_are_ultralytics():
    pred, target = boxes(200, 0), boxes(200, 1)
    target[:50] = pred[:50] + 0.05  # overlapping pairs too
    a, b = pred.clone().requires_grad_(), pred.clone().requires_grad_()
    ours, theirs = yolov5_ciou(a, target), their_ciou(b, target)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    assert ours.min() < 0 < ours.max() > 0.5
    weight = torch.randn(200)
    (ours * weight).sum().backward()
    (theirs * weight).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-6)


def test_identical_boxes_and_the_loss():
    box = boxes(5, 2)
    torch.testing.assert_close(yolov5_ciou(box, box), torch.ones(5),
                               rtol=0, atol=1e-6)
    pred, target = boxes(7, 3), boxes(7, 4)
    loss, ciou = YOLOV5CIoULoss(loss_weight=0.075)(pred, target)
    torch.testing.assert_close(ciou, their_ciou(pred, target))
    torch.testing.assert_close(loss, 0.075 * (1 - ciou).mean())
