"""Complete IoU as ultralytics' YOLOv5 computes it, and its loss."""
import math
from typing import Tuple

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from torch import Tensor


def yolov5_ciou(pred: Tensor, target: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU (Zheng et al., 2020) of box pairs, YOLOv5's variant.

    .. math::
        CIoU = IoU - \\frac{\\rho^2}{c^2} - \\alpha v, \\quad
        v = \\frac{4}{\\pi^2} (\\arctan\\frac{w_t}{h_t} -
        \\arctan\\frac{w_p}{h_p})^2, \\quad
        \\alpha = \\frac{v}{v - IoU + 1 + \\epsilon}

    with ``rho`` the distance of the centres, ``c`` the diagonal of the
    enclosing box and ``alpha`` treated as a constant (no gradient). As in
    ultralytics, ``eps`` is added to both heights, to the union and to
    ``c^2``, and ``alpha`` is not gated by IoU > 0.5 (mmdet's ``ciou_loss``
    gates it, so it differs).

    Args:
        pred (Tensor): Boxes ``[N, 4]`` as (cx, cy, w, h).
        target (Tensor): Boxes ``[N, 4]`` as (cx, cy, w, h).
        eps (float): Defaults to 1e-7.

    Returns:
        Tensor: ``[N]`` CIoU values in [-1, 1].
    """
    p1, p2 = pred[:, :2] - pred[:, 2:] / 2, pred[:, :2] + pred[:, 2:] / 2
    t1, t2 = target[:, :2] - target[:, 2:] / 2, \
        target[:, :2] + target[:, 2:] / 2
    inter = (torch.min(p2, t2) - torch.max(p1, t1)).clamp(0).prod(1)
    wp, hp = p2[:, 0] - p1[:, 0], p2[:, 1] - p1[:, 1] + eps
    wt, ht = t2[:, 0] - t1[:, 0], t2[:, 1] - t1[:, 1] + eps
    iou = inter / (wp * hp + wt * ht - inter + eps)
    enclose = torch.max(p2, t2) - torch.min(p1, t1)
    c2 = enclose.square().sum(1) + eps
    rho2 = ((t1 + t2 - p1 - p2).square()).sum(1) / 4
    v = (4 / math.pi**2) * (torch.atan(wt / ht) - torch.atan(wp / hp))**2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


@MODELS.register_module()
class YOLOV5CIoULoss(nn.Module):
    """``loss_weight * mean(1 - CIoU)``, returning the CIoU too (YOLOv5's
    objectness target).

    Args:
        eps (float): As :func:`yolov5_ciou`. Defaults to 1e-7.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, eps: float = 1e-7, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor) -> Tuple[Tensor, Tensor]:
        """Args:
            pred, target (Tensor): Matched boxes ``[N, 4]``, (cx, cy, w, h).

        Returns:
            tuple[Tensor, Tensor]: The loss (0-dim) and the CIoU ``[N]``.
        """
        ciou = yolov5_ciou(pred, target, self.eps)
        return self.loss_weight * (1.0 - ciou).mean(), ciou
