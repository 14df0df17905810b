"""Complete-IoU loss as ultralytics' YOLOv8 computes it."""
import math
from typing import Optional

import torch
from mmdet.models.losses import CIoULoss
from mmdet.models.losses.utils import weighted_loss
from mmdet.registry import MODELS
from torch import Tensor


def yolov8_ciou(pred: Tensor, target: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU of box pairs, ultralytics' variant.

    .. math::
        \\mathrm{CIoU} = \\mathrm{IoU} - \\frac{\\rho^2}{c^2} - \\alpha v,
        \\quad v = \\frac{4}{\\pi^2} (\\arctan\\frac{w_t}{h_t} -
        \\arctan\\frac{w_p}{h_p})^2, \\quad
        \\alpha = \\frac{v}{v - \\mathrm{IoU} + 1 + \\epsilon}

    with ``alpha`` treated as a constant (no gradient) and applied to every
    pair, ``eps`` added to both heights, the union and ``c^2``. (mmdet's
    ``ciou_loss`` sets ``alpha = 0`` where IoU <= 0.5 and clamps.)

    Args:
        pred (Tensor): Boxes ``(x1, y1, x2, y2)``, ``[..., 4]``.
        target (Tensor): Boxes ``[..., 4]`` (broadcast with ``pred``).
        eps (float): Defaults to 1e-7.

    Returns:
        Tensor: ``[...]``.
    """
    px1, py1, px2, py2 = pred.unbind(-1)
    tx1, ty1, tx2, ty2 = target.unbind(-1)
    pw, ph = px2 - px1, py2 - py1 + eps
    tw, th = tx2 - tx1, ty2 - ty1 + eps
    inter = (torch.minimum(px2, tx2) - torch.maximum(px1, tx1)).clamp(0) * \
        (torch.minimum(py2, ty2) - torch.maximum(py1, ty1)).clamp(0)
    iou = inter / (pw * ph + tw * th - inter + eps)
    enclose_w = torch.maximum(px2, tx2) - torch.minimum(px1, tx1)
    enclose_h = torch.maximum(py2, ty2) - torch.minimum(py1, ty1)
    diagonal2 = enclose_w**2 + enclose_h**2 + eps
    centre2 = ((tx1 + tx2 - px1 - px2)**2 + (ty1 + ty2 - py1 - py2)**2) / 4
    v = 4 / math.pi**2 * (torch.atan(tw / th) - torch.atan(pw / ph))**2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (centre2 / diagonal2 + v * alpha)


@weighted_loss
def yolov8_ciou_loss(pred: Tensor, target: Tensor,
                     eps: float = 1e-7) -> Tensor:
    """``1 - yolov8_ciou(pred, target)`` per pair, ``[n]``."""
    return 1 - yolov8_ciou(pred, target, eps)


@MODELS.register_module()
class YOLOv8CIoULoss(CIoULoss):
    """mmdet's :class:`CIoULoss` with ultralytics' CIoU
    (:func:`yolov8_ciou`): what YOLOv8 (and SpikeYOLO) train with.

    Args:
        eps (float): Defaults to 1e-7 (ultralytics').
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
            Defaults to ``'mean'``.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, eps: float = 1e-7, reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__(eps, reduction, loss_weight)

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Args:
            pred, target (Tensor): Boxes ``(x1, y1, x2, y2)``, ``[n, 4]``.
            weight (Tensor, optional): Per box, ``[n]``.
            avg_factor (float, optional): Divides the sum (``'mean'``).
            reduction_override (str, optional): Another reduction.

        Returns:
            Tensor: The loss.
        """
        reduction = reduction_override or self.reduction
        return self.loss_weight * yolov8_ciou_loss(
            pred, target, weight, eps=self.eps, reduction=reduction,
            avg_factor=avg_factor)
