"""Task-aligned assignment as ultralytics' YOLOv8 does it."""
from typing import Optional

import torch
from mmdet.models.task_modules.assigners import (AssignResult,
                                                 TaskAlignedAssigner)
from mmdet.registry import TASK_UTILS
from mmengine.structures import InstanceData

from ...losses.yolov8_ciou_loss import yolov8_ciou


@TASK_UTILS.register_module()
class YOLOv8TaskAlignedAssigner(TaskAlignedAssigner):
    """mmdet's task-aligned assigner (TOOD) with ultralytics' YOLOv8 rule.

    For each ground-truth box ``g`` and prior ``a`` whose point lies inside
    ``g``, the alignment metric is ``s^alpha * u^beta``, with ``s`` the
    predicted score of ``g``'s class and ``u`` the complete IoU (clamped at
    0, :func:`~mmsnn.models.losses.yolov8_ciou`) of the prediction with
    ``g``; priors outside ``g`` score 0. The ``topk`` priors of each ``g``
    by that metric that lie inside ``g`` are its candidates; a prior that is
    a candidate of several boxes goes to the box it overlaps most. (mmdet's
    TOOD assigner takes the top-k over all priors before the inside test,
    uses the IoU and keeps only positive metrics.)

    The result's ``assign_metrics`` holds each positive's metric with its
    box and ``max_overlaps`` its complete IoU, from which the head builds
    ultralytics' soft class targets.

    Args:
        topk (int): Candidates per box. Defaults to 10 (YOLOv8's).
        eps (float): Margin of the inside test. Defaults to 1e-9.
    """

    def __init__(self, topk: int = 10, eps: float = 1e-9) -> None:
        super().__init__(topk)
        self.eps = eps

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               alpha: float = 0.5,
               beta: float = 6.0) -> AssignResult:
        """Args:
            pred_instances (InstanceData): ``priors`` (points ``[n, 2]``, or
                ``[n, 4]`` whose first two columns are the points),
                ``bboxes`` (decoded, ``[n, 4]``) and ``scores`` (after
                sigmoid, ``[n, num_classes]``).
            gt_instances (InstanceData): ``bboxes`` ``[g, 4]``, ``labels``.
            gt_instances_ignore: Unused.
            alpha (float): Score exponent. Defaults to 0.5 (YOLOv8's).
            beta (float): Overlap exponent. Defaults to 6.0.

        Returns:
            AssignResult: With ``assign_metrics``.
        """
        points = pred_instances.priors[:, :2]
        boxes, scores = pred_instances.bboxes, pred_instances.scores
        gt_boxes, gt_labels = gt_instances.bboxes, gt_instances.labels
        num_gt, num_priors = gt_boxes.size(0), points.size(0)
        assigned = points.new_zeros(num_priors, dtype=torch.long)
        if num_gt == 0 or num_priors == 0:
            result = AssignResult(num_gt, assigned,
                                  points.new_zeros(num_priors),
                                  labels=assigned - 1)
            result.assign_metrics = points.new_zeros(num_priors)
            return result
        # [g, n]: inside each box, complete IoU and class score
        inside = torch.cat((points[None] - gt_boxes[:, None, :2],
                            gt_boxes[:, None, 2:] - points[None]),
                           -1).amin(-1) > self.eps
        overlaps = yolov8_ciou(gt_boxes[:, None], boxes[None]).clamp(0)
        overlaps = overlaps * inside
        metric = scores[:, gt_labels].t().pow(alpha) * overlaps.pow(beta)
        metric = metric * inside
        topk = metric.topk(min(self.topk, num_priors), dim=1).indices
        candidate = torch.zeros_like(inside).scatter_(1, topk, True) & inside
        # a prior claimed by several boxes goes to its largest overlap
        claimed = candidate.sum(0)
        best = overlaps.argmax(0)
        several = claimed > 1
        candidate[:, several] = False
        candidate[best[several], several.nonzero()[:, 0]] = True
        positive = candidate.any(0)
        gt_index = candidate.float().argmax(0)
        assigned[positive] = gt_index[positive] + 1
        prior_index = torch.arange(num_priors, device=points.device)
        max_overlaps = overlaps[gt_index, prior_index] * positive
        labels = torch.where(positive, gt_labels[gt_index],
                             assigned.new_full((num_priors, ), -1))
        result = AssignResult(num_gt, assigned, max_overlaps, labels=labels)
        result.assign_metrics = metric[gt_index, prior_index] * positive
        return result
