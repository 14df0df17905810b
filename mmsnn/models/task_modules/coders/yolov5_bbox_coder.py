"""The box parametrisation of ultralytics' YOLOv5 ``Detect`` head."""
from typing import Union

import torch
from mmdet.models.task_modules.coders import YOLOBBoxCoder
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import BaseBoxes, HorizontalBoxes, get_box_tensor
from torch import Tensor


@TASK_UTILS.register_module()
class YOLOV5BBoxCoder(YOLOBBoxCoder):
    """YOLOv5's box coder: centres move up to one and a half cells, sizes
    up to four times the anchor.

    With a prior (anchor) of centre ``c`` and size ``a`` at stride ``s``,
    and the head's outputs ``t``:

    .. math::
        xy = c + 2 s (\\sigma(t_{xy}) - 0.5), \\quad
        wh = a (2 \\sigma(t_{wh}))^2

    (ultralytics: ``xy = (2 sigma - 0.5 + grid) * stride``, the grid cell's
    corner plus 0.5 being mmdet's prior centre). As mmdet's
    :class:`YOLOBBoxCoder`, which :meth:`YOLOV3Head.predict_by_feat` calls,
    :meth:`decode` takes ``t_xy`` already through the sigmoid and ``t_wh``
    raw; :meth:`encode` returns the same (``sigma(t_xy)``, ``t_wh``).

    Args:
        eps (float): Clamp of the encoded sigmoids away from 0 and 1.
            Defaults to 1e-6.
    """

    def encode(self, bboxes: Union[Tensor, BaseBoxes],
               gt_bboxes: Union[Tensor, BaseBoxes],
               stride: Union[Tensor, int]) -> Tensor:
        """Outputs that decode to ``gt_bboxes`` (within the ranges above).

        Args:
            bboxes (Tensor): Priors, ``[..., 4]`` xyxy.
            gt_bboxes (Tensor): Targets, ``[..., 4]`` xyxy.
            stride (Tensor | int): Strides of the priors.

        Returns:
            Tensor: ``[..., 4]``: ``sigma(t_x), sigma(t_y), t_w, t_h``.
        """
        bboxes, gt_bboxes = get_box_tensor(bboxes), get_box_tensor(gt_bboxes)
        centre = (bboxes[..., :2] + bboxes[..., 2:]) * 0.5
        size = bboxes[..., 2:] - bboxes[..., :2]
        gt_centre = (gt_bboxes[..., :2] + gt_bboxes[..., 2:]) * 0.5
        gt_size = gt_bboxes[..., 2:] - gt_bboxes[..., :2]
        xy = ((gt_centre - centre) / (2 * stride) + 0.5).clamp(
            self.eps, 1 - self.eps)
        wh = ((gt_size / size).sqrt() / 2).clamp(self.eps, 1 - self.eps)
        return torch.cat([xy, torch.logit(wh)], dim=-1)

    def decode(self, bboxes: Union[Tensor, BaseBoxes], pred_bboxes: Tensor,
               stride: Union[Tensor, int]) -> Union[Tensor, BaseBoxes]:
        """Boxes from priors and outputs.

        Args:
            bboxes (Tensor): Priors, ``[..., 4]`` xyxy.
            pred_bboxes (Tensor): ``sigma(t_x), sigma(t_y), t_w, t_h``,
                ``[..., 4]``.
            stride (Tensor | int): Strides of the priors.

        Returns:
            Tensor | HorizontalBoxes: Boxes ``[..., 4]`` xyxy.
        """
        bboxes = get_box_tensor(bboxes)
        centre = (bboxes[..., :2] + bboxes[..., 2:]) * 0.5 + \
            (pred_bboxes[..., :2] - 0.5) * 2 * stride
        half = (bboxes[..., 2:] - bboxes[..., :2]) * 0.5 * \
            (pred_bboxes[..., 2:].sigmoid() * 2) ** 2
        decoded = torch.cat([centre - half, centre + half], dim=-1)
        return HorizontalBoxes(decoded) if self.use_box_type else decoded
