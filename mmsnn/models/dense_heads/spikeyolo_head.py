"""SpikeYOLO's head: YOLOv8's decoupled DFL head made of spiking layers."""
import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.models.dense_heads.base_dense_head import BaseDenseHead
from mmdet.registry import MODELS, TASK_UTILS
from mmdet.utils import (ConfigType, InstanceList, OptConfigType,
                         OptInstanceList, OptMultiConfig)
from mmengine.config import ConfigDict
from mmengine.dist import get_dist_info
from mmengine.structures import InstanceData
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..layers.spikeyolo_bricks import (SPIKEYOLO_NEURON_CFG,
                                       SPIKEYOLO_NORM_CFG, MSStandardConv,
                                       SpikePredConv)
from ..time.folding import check_time_folded, decode_over_time
from ..time.owner import TimeStepsMixin

#: YOLOv8's assignment (ultralytics' ``v8DetectionLoss``).
YOLOV8_TRAIN_CFG = dict(
    assigner=dict(type='YOLOv8TaskAlignedAssigner', topk=10), alpha=0.5,
    beta=6.0)
#: YOLOv8's validation post-processing: score > 0.001, class-wise NMS at
#: IoU 0.7, 300 boxes (mmdet's NMS keeps ``nms_pre`` boxes per level).
YOLOV8_TEST_CFG = dict(
    nms_pre=30000, score_thr=0.001, nms=dict(type='nms', iou_threshold=0.7),
    max_per_img=300)


class DFLIntegral(nn.Module):
    """The expected distance of a distribution over ``0 .. reg_max - 1``:
    softmax, then a fixed 1x1 conv with weights ``0 .. reg_max - 1`` (their
    ``SpikeDFL``; the weights count as parameters there, and here).

    Args:
        reg_max (int): Bins.
    """

    def __init__(self, reg_max: int = 16) -> None:
        super().__init__()
        self.conv = nn.Conv2d(reg_max, 1, 1, bias=False).requires_grad_(False)
        self.conv.weight.data.copy_(
            torch.arange(reg_max, dtype=torch.float).view(1, -1, 1, 1))
        self.reg_max = reg_max

    def forward(self, dists: Tensor) -> Tensor:
        """``[..., 4 * reg_max]`` logits -> ``[..., 4]`` distances (bins)."""
        probs = dists.unflatten(-1, (4, self.reg_max)).softmax(-1)
        return probs @ self.conv.weight.view(-1)


@MODELS.register_module()
class SpikeYOLOHead(TimeStepsMixin, BaseDenseHead):
    """YOLOv8's anchor-free head (ultralytics), spiking as SpikeYOLO builds
    it: per level a box branch ``cv2`` and a class branch ``cv3``, each two
    fired 3x3 ``MSStandardConv`` and a fired 1x1 prediction conv, whose
    outputs are averaged over T (Current Mean Decoding).

    Boxes are distances from each prior point to the four sides, each a
    distribution over ``reg_max`` bins (of the level's stride) whose mean is
    the distance (distribution focal loss, DFL). Training is ultralytics'
    ``v8DetectionLoss``: :class:`YOLOv8TaskAlignedAssigner` (top 10,
    alpha 0.5, beta 6) picks positives; class targets are the normalised
    alignment metrics (BCE, weight 0.5, divided by their sum ``S``); the
    box loss is ``sum((1 - CIoU) w) / S`` (weight 7.5, ``w`` the target
    score) and the DFL ``sum(DFL w) / (4 S)`` (weight 1.5), all times the
    batch size (and the world size).

    Args:
        num_classes (int): Classes.
        in_channels (Sequence[int]): Input channels per level.
        featmap_strides (Sequence[int]): Strides. Defaults to (8, 16, 32).
        reg_max (int): DFL bins. Defaults to 16.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neurons. Defaults to I-LIF, D = 4.
        norm_cfg (dict): Norms. Defaults to BN(eps=1e-3, momentum=0.03).
        prior_generator (dict): Points at cell centres.
        bbox_coder (dict): Distances -> boxes.
        loss_cls, loss_bbox, loss_dfl (dict): The losses (weights 0.5, 7.5,
            1.5 / 4).
        train_cfg (dict, optional): ``assigner`` and its ``alpha``,
            ``beta``. None (what a detector passes unless its config has
            ``train_cfg``) gives :data:`YOLOV8_TRAIN_CFG`.
        test_cfg (dict, optional): ``score_thr``, ``nms_pre``, ``nms``,
            ``max_per_img`` (mmdet's post-processing). None gives
            :data:`YOLOV8_TEST_CFG`.
        init_cfg (dict, optional): Initialisation.

    Shapes:
        inputs ``[T*B, C_i, h_i, w_i]``; outputs per level class logits
        ``[B, num_classes, h_i, w_i]`` and box logits
        ``[B, 4 * reg_max, h_i, w_i]``.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Sequence[int],
                 featmap_strides: Sequence[int] = (8, 16, 32),
                 reg_max: int = 16,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG,
                 prior_generator: ConfigType = dict(
                     type='MlvlPointGenerator', offset=0.5,
                     strides=(8, 16, 32)),
                 bbox_coder: ConfigType = dict(type='DistancePointBBoxCoder'),
                 loss_cls: ConfigType = dict(
                     type='CrossEntropyLoss', use_sigmoid=True,
                     reduction='mean', loss_weight=0.5),
                 loss_bbox: ConfigType = dict(
                     type='YOLOv8CIoULoss', reduction='mean',
                     loss_weight=7.5),
                 loss_dfl: ConfigType = dict(
                     type='DistributionFocalLoss', reduction='mean',
                     loss_weight=1.5 / 4),
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.cls_out_channels = num_classes
        self.use_sigmoid_cls = True
        self.featmap_strides = tuple(featmap_strides)
        self.reg_max = reg_max
        self.train_cfg = ConfigDict(
            YOLOV8_TRAIN_CFG if train_cfg is None else train_cfg)
        self.test_cfg = ConfigDict(
            YOLOV8_TEST_CFG if test_cfg is None else test_cfg)
        self.prior_generator = TASK_UTILS.build(prior_generator)
        self.bbox_coder = TASK_UTILS.build(bbox_coder)
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_dfl = MODELS.build(loss_dfl)
        self.assigner = TASK_UTILS.build(self.train_cfg['assigner'])
        box_channels = max(16, in_channels[0] // 4, reg_max * 4)
        cls_channels = max(in_channels[0], min(num_classes, 100))
        layers = dict(neuron_cfg=neuron_cfg, norm_cfg=norm_cfg)

        def branch(channels, hidden, out):
            return nn.Sequential(
                MSStandardConv(channels, hidden, 3, **layers),
                MSStandardConv(hidden, hidden, 3, **layers),
                SpikePredConv(hidden, out, neuron_cfg=neuron_cfg))

        self.cv2 = nn.ModuleList(
            branch(c, box_channels, 4 * reg_max) for c in in_channels)
        self.cv3 = nn.ModuleList(
            branch(c, cls_channels, num_classes) for c in in_channels)
        self.dfl = DFLIntegral(reg_max)
        self.time_steps = time_steps

    def init_weights(self) -> None:
        """Default init, then YOLOv8's prediction biases: 1 for the box
        logits, ``log(5 / K / (640 / s)^2)`` for the class logits at stride
        ``s`` (about 0.01 objects per cell of a 640 image)."""
        super().init_weights()
        for box, cls, stride in zip(self.cv2, self.cv3, self.featmap_strides):
            box[-1].conv.bias.data.fill_(1.)
            cls[-1].conv.bias.data.fill_(
                math.log(5 / self.num_classes / (640 / stride)**2))

    def forward(self, x: Tuple[Tensor, ...]) -> Tuple[List[Tensor], ...]:
        """Args:
            x (tuple[Tensor]): Currents per level, ``[T*B, C_i, h_i, w_i]``.

        Returns:
            tuple[list[Tensor]]: Class logits and box (DFL) logits per
            level, averaged over T.
        """
        check_time_folded(x, self.time_steps, type(self).__name__)
        cls_scores, bbox_dists = [], []
        for feat, box, cls in zip(x, self.cv2, self.cv3):
            cls_scores.append(decode_over_time(cls(feat), self.time_steps))
            bbox_dists.append(decode_over_time(box(feat), self.time_steps))
        return cls_scores, bbox_dists

    # -- decoding ---------------------------------------------------------
    def flat_priors(self, featmap_sizes, dtype,
                    device) -> Tuple[Tensor, Tensor]:
        """Prior points ``[A, 2]`` (pixels) and their strides ``[A, 1]``,
        all levels."""
        priors = torch.cat(
            self.prior_generator.grid_priors(
                featmap_sizes, dtype=dtype, device=device, with_stride=True))
        return priors[:, :2], priors[:, 2:3]

    def distances(self, bbox_dist: Tensor) -> Tensor:
        """One level's box logits ``[B, 4 * reg_max, h, w]`` -> distances in
        bins ``[B, 4, h, w]``."""
        return self.dfl(bbox_dist.movedim(1, -1)).movedim(-1, 1)

    def predict_by_feat(self,
                        cls_scores: List[Tensor],
                        bbox_dists: List[Tensor],
                        batch_img_metas: Optional[List[dict]] = None,
                        cfg: OptConfigType = None,
                        rescale: bool = False,
                        with_nms: bool = True) -> InstanceList:
        """Boxes of each image: the DFL distances times the stride, decoded
        at the prior points, then mmdet's score filtering and NMS
        (:meth:`BaseDenseHead.predict_by_feat`).

        Args:
            cls_scores, bbox_dists (list[Tensor]): :meth:`forward`'s.
            batch_img_metas (list[dict]): Image metas.
            cfg (dict, optional): Test config. Defaults to ``test_cfg``.
            rescale (bool): Back to the original image size.
            with_nms (bool): Apply NMS.

        Returns:
            list[InstanceData]: ``bboxes``, ``scores``, ``labels`` per image.
        """
        bbox_preds = [
            self.distances(dist) * stride
            for dist, stride in zip(bbox_dists, self.featmap_strides)
        ]
        return super().predict_by_feat(
            cls_scores, bbox_preds, None, batch_img_metas, cfg, rescale,
            with_nms)

    # -- training -----------------------------------------------------------
    def loss_by_feat(
            self,
            cls_scores: List[Tensor],
            bbox_dists: List[Tensor],
            batch_gt_instances: InstanceList,
            batch_img_metas: List[dict],
            batch_gt_instances_ignore: OptInstanceList = None) -> dict:
        """ultralytics' ``v8DetectionLoss`` (see the class docstring).

        Args:
            cls_scores, bbox_dists (list[Tensor]): :meth:`forward`'s.
            batch_gt_instances (list[InstanceData]): ``bboxes`` (pixels,
                ``x1, y1, x2, y2``) and ``labels`` per image.
            batch_img_metas (list[dict]): Image metas.
            batch_gt_instances_ignore: Unused.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_dfl``.
        """
        num_imgs = len(batch_img_metas)
        points, strides = self.flat_priors(
            [c.shape[2:] for c in cls_scores], cls_scores[0].dtype,
            cls_scores[0].device)
        cls_flat = torch.cat(
            [c.flatten(2) for c in cls_scores], 2).transpose(1, 2)
        dist_flat = torch.cat(
            [d.flatten(2) for d in bbox_dists], 2).transpose(1, 2)
        # boxes in pixels, from distances in bins times the stride
        boxes = self.bbox_coder.decode(
            points.expand(num_imgs, -1, -1), self.dfl(dist_flat) * strides)
        target_scores = torch.zeros_like(cls_flat)
        target_boxes = torch.zeros_like(boxes)
        for i, gt in enumerate(batch_gt_instances):
            self.assign_image(i, points, boxes, cls_flat, gt, target_scores,
                              target_boxes)
        avg = target_scores.sum().clamp(min=1)
        loss_cls = self.loss_cls(cls_flat, target_scores, avg_factor=avg)
        positive = target_scores.sum(-1) > 0
        if positive.any():
            weight = target_scores.sum(-1)[positive]
            grid = points / strides  # ultralytics' anchor points (bins)
            pos_grid = grid.expand_as(boxes[..., :2])[positive]
            pos_strides = strides.expand(num_imgs, -1, -1)[positive]
            pos_targets = target_boxes[positive] / pos_strides
            loss_bbox = self.loss_bbox(
                boxes[positive] / pos_strides, pos_targets, weight=weight,
                avg_factor=avg)
            target_ltrb = self.bbox_coder.encode(
                pos_grid, pos_targets, max_dis=self.reg_max - 1, eps=0.01)
            loss_dfl = self.loss_dfl(
                dist_flat[positive].reshape(-1, self.reg_max),
                target_ltrb.reshape(-1),
                weight=weight[:, None].expand(-1, 4).reshape(-1),
                avg_factor=avg)
        else:
            loss_bbox = loss_dfl = dist_flat.sum() * 0
        scale = num_imgs * get_dist_info()[1]
        return dict(loss_cls=loss_cls * scale, loss_bbox=loss_bbox * scale,
                    loss_dfl=loss_dfl * scale)

    @torch.no_grad()
    def assign_image(self, index: int, points: Tensor, boxes: Tensor,
                     cls_flat: Tensor, gt: InstanceData, target_scores: Tensor,
                     target_boxes: Tensor) -> None:
        """Assign image ``index`` and write its targets in place: each
        positive's box, and at its class the alignment metric normalised so
        that each box's best positive gets that positive's overlap."""
        result = self.assigner.assign(
            InstanceData(priors=points, bboxes=boxes[index].detach(),
                         scores=cls_flat[index].detach().sigmoid()),
            gt, alpha=self.train_cfg.get('alpha', 0.5),
            beta=self.train_cfg.get('beta', 6.0))
        positive = result.gt_inds > 0
        if not positive.any():
            return
        gt_index = result.gt_inds[positive] - 1
        metric = result.assign_metrics[positive]
        overlap = result.max_overlaps[positive]
        num_gt = len(gt.bboxes)
        best_metric = metric.new_zeros(num_gt).scatter_reduce(
            0, gt_index, metric, 'amax', include_self=False)
        best_overlap = metric.new_zeros(num_gt).scatter_reduce(
            0, gt_index, overlap, 'amax', include_self=False)
        score = metric * best_overlap[gt_index] / (best_metric[gt_index] +
                                                   1e-9)
        scores = target_scores[index]
        scores[positive] = scores[positive].scatter(
            1, result.labels[positive, None], score[:, None])
        target_boxes[index, positive] = gt.bboxes[gt_index]
