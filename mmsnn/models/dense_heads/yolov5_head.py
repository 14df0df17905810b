"""ultralytics' YOLOv5 ``Detect`` head and loss on mmdet's YOLOv3 head."""
import math
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.models.dense_heads import YOLOV3Head
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, InstanceList, OptConfigType, \
    OptInstanceList
from torch import Tensor

from ...utils.input_error import ConfigValueError

#: Neighbouring cells a target is also assigned to: itself, then left, up,
#: right, down (ultralytics' ``off``), in cells.
_CELL_OFFSETS = ((0, 0), (1, 0), (0, 1), (-1, 0), (0, -1))


@MODELS.register_module()
class YOLOV5Head(YOLOV3Head):
    """YOLOv5's head: one 1x1 prediction conv per level, sigmoid outputs.

    A level's map ``[B, A*(5+K), h, w]`` holds, per anchor, box outputs
    ``t``, objectness and ``K`` class logits, laid out as ultralytics'
    ``Detect`` lays them (so its ``m.{i}`` convs load as ``convs_pred.{i}``).
    Boxes decode by :class:`~mmsnn.models.task_modules.YOLOV5BBoxCoder`
    (``xy = c + 2 s (sigma - 0.5)``, ``wh = a (2 sigma)^2``); inference is
    mmdet's :meth:`YOLOV3Head.predict_by_feat` (score = objectness x class
    probability, per-class NMS).

    Loss (ultralytics' ``ComputeLoss``), per level, in grid units:

    * targets go to every anchor whose width and height ratios to the
      target's are within ``prior_match_thr`` (both ways), in the target's
      cell and in the two neighbouring cells whose centre-side the target's
      centre is nearer to than ``near_neighbor_thr`` (skipping cells at the
      map's first row and column);
    * box: ``loss_bbox`` (CIoU) of ``xy = 2 sigma - 0.5`` (from the cell's
      corner) and ``wh = (2 sigma)^2 anchor`` against the target;
    * objectness: ``loss_obj`` (sigmoid BCE, mean over all anchors and
      cells) against the detached CIoU (clamped at 0) at assigned places, 0
      elsewhere, times ``obj_level_weights[level]``;
    * classes: ``loss_cls`` (sigmoid BCE, mean) on one-hot targets, only
      with ``K > 1``.

    Each loss is summed over levels and multiplied by the batch size, as
    ultralytics does; its ``hyp`` gains are the losses' ``loss_weight`` s
    (ultralytics scales them by ``3 / num_levels``, ``K / 80`` for classes
    and ``(image size / 640)^2`` for objectness: the configs compute them).

    Args:
        num_classes (int): K.
        in_channels (Sequence[int]): Input channels per level.
        anchor_generator (dict): A ``YOLOAnchorGenerator`` (base sizes in
            pixels, per level, in the order of ``featmap_strides``).
        bbox_coder (dict): Defaults to ``YOLOV5BBoxCoder``.
        featmap_strides (Sequence[int]): Strides of the levels, in the order
            of the inputs. Defaults to (16, 32) (EMS-YOLO's P4, P5).
        loss_cls (dict): Defaults to sigmoid BCE, weight 0.5.
        loss_obj (dict): Defaults to sigmoid BCE, weight 1.0.
        loss_bbox (dict): Defaults to ``YOLOV5CIoULoss``, weight 0.05.
        obj_level_weights (Sequence[float]): Objectness weight per level.
            Defaults to (4.0, 1.0) (ultralytics' first two).
        prior_match_thr (float): Defaults to 4.0 (``anchor_t``).
        near_neighbor_thr (float): Defaults to 0.5.
        bias_init_image_size (int): ultralytics starts each objectness bias
            at ``log(8 / (size / stride)^2)`` (8 objects per image of this
            size) and each class bias at ``log(0.6 / (K - 0.999999))``,
            above PyTorch's default init. Defaults to 640.
        train_cfg, test_cfg (dict, optional): As :class:`YOLOV3Head`
            (``test_cfg``: ``conf_thr``, ``score_thr``, ``nms``, ...).

    Shapes:
        inputs ``[B, C_i, h_i, w_i]``; outputs ``([B, A*(5+K), h_i, w_i]
        per level, )``.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Sequence[int],
                 anchor_generator: ConfigType = dict(
                     type='YOLOAnchorGenerator',
                     base_sizes=[[(10, 14), (23, 27), (37, 58)],
                                 [(81, 82), (135, 169), (344, 319)]],
                     strides=[16, 32]),
                 bbox_coder: ConfigType = dict(type='YOLOV5BBoxCoder'),
                 featmap_strides: Sequence[int] = (16, 32),
                 loss_cls: ConfigType = dict(
                     type='CrossEntropyLoss',
                     use_sigmoid=True,
                     reduction='mean',
                     loss_weight=0.5),
                 loss_obj: ConfigType = dict(
                     type='CrossEntropyLoss',
                     use_sigmoid=True,
                     reduction='mean',
                     loss_weight=1.0),
                 loss_bbox: ConfigType = dict(
                     type='YOLOV5CIoULoss', loss_weight=0.05),
                 obj_level_weights: Sequence[float] = (4.0, 1.0),
                 prior_match_thr: float = 4.0,
                 near_neighbor_thr: float = 0.5,
                 bias_init_image_size: int = 640,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None) -> None:
        if len(obj_level_weights) != len(featmap_strides):
            raise ConfigValueError(
                f'{type(self).__name__}: obj_level_weights needs one weight '
                f'per level ({len(featmap_strides)} strides), got '
                f'{list(obj_level_weights)}')
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            out_channels=in_channels,  # no bridge convs
            anchor_generator=anchor_generator,
            bbox_coder=bbox_coder,
            featmap_strides=featmap_strides,
            loss_cls=loss_cls,
            loss_conf=loss_obj,
            train_cfg=train_cfg,
            test_cfg=test_cfg)
        del self.loss_xy, self.loss_wh  # YOLOv3's box losses
        self.loss_obj = self.loss_conf
        del self.loss_conf
        self.loss_bbox = MODELS.build(loss_bbox)
        self.obj_level_weights = tuple(obj_level_weights)
        self.prior_match_thr = prior_match_thr
        self.near_neighbor_thr = near_neighbor_thr
        self.bias_init_image_size = bias_init_image_size

    def _init_layers(self) -> None:
        """One 1x1 prediction conv (with bias) per level."""
        self.convs_pred = nn.ModuleList(
            nn.Conv2d(c, self.num_base_priors * self.num_attrib, 1)
            for c in self.in_channels)

    def init_weights(self) -> None:
        """PyTorch's default conv init, then ultralytics' bias offsets."""
        for conv, stride in zip(self.convs_pred, self.featmap_strides):
            conv.reset_parameters()
            bias = conv.bias.data.view(self.num_base_priors, -1)
            bias[:, 4] += math.log(8 / (self.bias_init_image_size /
                                        stride)**2)
            bias[:, 5:] += math.log(0.6 / (self.num_classes - 0.999999))

    def forward(self, x: Tuple[Tensor, ...]) -> Tuple[List[Tensor]]:
        """Args:
            x (tuple[Tensor]): Per level ``[B, C_i, h_i, w_i]``.

        Returns:
            tuple[list[Tensor]]: ``(pred_maps, )``, per level
            ``[B, A*(5+K), h_i, w_i]``.
        """
        if len(x) != self.num_levels:
            raise ValueError(f'{type(self).__name__} has {self.num_levels} '
                             f'levels, got {len(x)} feature maps')
        return [conv(feat) for conv, feat in zip(self.convs_pred, x)],

    def gt_targets(self, batch_gt_instances: InstanceList) -> Tensor:
        """All ground truths of a batch as rows ``(image, label, cx, cy, w,
        h)``, in pixels of the batch input, ``[num_gts, 6]``."""
        rows = []
        for i, gt in enumerate(batch_gt_instances):
            boxes = gt.bboxes
            boxes = boxes.tensor if hasattr(boxes, 'tensor') else boxes
            rows.append(torch.cat([
                boxes.new_full((len(boxes), 1), i),
                gt.labels[:, None].to(boxes.dtype),
                (boxes[:, :2] + boxes[:, 2:]) / 2, boxes[:, 2:] - boxes[:, :2]
            ], dim=1))
        return torch.cat(rows) if rows else torch.zeros(0, 6)

    def assign_level(self, targets: Tensor, anchors: Tensor, height: int,
                     width: int) -> Tuple[Tensor, ...]:
        """ultralytics' target assignment on one level, in grid units.

        Args:
            targets (Tensor): ``[N, 6]`` rows (image, label, cx, cy, w, h)
                in grid units.
            anchors (Tensor): ``[A, 2]`` anchor sizes in grid units.
            height, width (int): The level's map size.

        Returns:
            tuple[Tensor]: Per assignment (anchor-major, then by cell
            offset, as ultralytics orders them): image, anchor, row ``gj``,
            column ``gi`` (clamped to the map), label, and the target box
            ``[M, 4]`` (centre relative to the cell's corner, size).
        """
        num_anchors = anchors.shape[0]
        # [A, N, 7]: every target once per anchor, with the anchor's index
        anchor_ids = torch.arange(num_anchors, device=targets.device)
        t = torch.cat([
            targets[None].expand(num_anchors, -1, -1),
            anchor_ids[:, None, None].expand(-1, len(targets), 1).to(
                targets.dtype)
        ], dim=2)
        ratio = t[..., 4:6] / anchors[:, None]
        t = t[torch.max(ratio, 1 / ratio).max(2)[0] < self.prior_match_thr]
        xy = t[:, 2:4]
        inverse = xy.new_tensor([width, height]) - xy
        g = self.near_neighbor_thr
        near, far = (xy % 1 < g) & (xy > 1), (inverse % 1 < g) & (inverse > 1)
        keep = torch.stack([torch.ones_like(near[:, 0]), near[:, 0],
                            near[:, 1], far[:, 0], far[:, 1]])
        offsets = xy.new_tensor(_CELL_OFFSETS) * g
        t = t[None].expand(5, -1, -1)[keep]
        cells = (t[:, 2:4] - offsets[:, None].expand(-1, len(xy), -1)[keep]
                 ).long()
        cells[:, 0].clamp_(0, width - 1)
        cells[:, 1].clamp_(0, height - 1)
        boxes = torch.cat([t[:, 2:4] - cells, t[:, 4:6]], dim=1)
        return (t[:, 0].long(), t[:, 6].long(), cells[:, 1], cells[:, 0],
                t[:, 1].long(), boxes)

    def loss_by_feat(
            self,
            pred_maps: Sequence[Tensor],
            batch_gt_instances: InstanceList,
            batch_img_metas: List[dict],
            batch_gt_instances_ignore: OptInstanceList = None) -> dict:
        """YOLOv5's loss (see the class doc).

        Args:
            pred_maps (Sequence[Tensor]): Per level ``[B, A*(5+K), h, w]``.
            batch_gt_instances (list[InstanceData]): ``bboxes`` (xyxy,
                pixels of the batch input) and ``labels`` per image.
            batch_img_metas (list[dict]): Per image.
            batch_gt_instances_ignore (list[InstanceData], optional):
                Unused: ignored boxes (VOC's difficult objects) play no part,
                as ultralytics' VOC labels leave them out.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_obj``.
        """
        num_imgs = len(batch_img_metas)
        targets = self.gt_targets(batch_gt_instances).to(pred_maps[0])
        zero = pred_maps[0].new_zeros(())
        loss_cls, loss_bbox, loss_obj = zero, zero, zero
        for level, pred_map in enumerate(pred_maps):
            b, _, h, w = pred_map.shape
            pred = pred_map.view(b, self.num_base_priors, self.num_attrib, h,
                                 w).permute(0, 1, 3, 4, 2)
            stride = self.featmap_strides[level]
            anchors = pred_map.new_tensor(
                self.prior_generator.base_sizes[level]) / stride
            grid_targets = torch.cat([targets[:, :2], targets[:, 2:] / stride],
                                     dim=1)
            img, anchor, gj, gi, labels, boxes = self.assign_level(
                grid_targets, anchors, h, w)
            target_obj = torch.zeros_like(pred[..., 4])
            if len(img):
                matched = pred[img, anchor, gj, gi]
                xy = matched[:, :2].sigmoid() * 2 - 0.5
                wh = (matched[:, 2:4].sigmoid() * 2)**2 * anchors[anchor]
                level_loss, ciou = self.loss_bbox(
                    torch.cat([xy, wh], dim=1), boxes)
                loss_bbox = loss_bbox + level_loss
                target_obj[img, anchor, gj, gi] = \
                    ciou.detach().clamp(0).to(target_obj.dtype)
                if self.num_classes > 1:
                    onehot = torch.zeros_like(matched[:, 5:])
                    onehot[torch.arange(len(labels)), labels] = 1.
                    loss_cls = loss_cls + self.loss_cls(matched[:, 5:],
                                                        onehot)
            else:  # keep every output on the graph
                loss_bbox = loss_bbox + pred[..., :4].sum() * 0
                loss_cls = loss_cls + pred[..., 5:].sum() * 0
            loss_obj = loss_obj + self.loss_obj(
                pred[..., 4], target_obj) * self.obj_level_weights[level]
        return dict(
            loss_cls=loss_cls * num_imgs,
            loss_bbox=loss_bbox * num_imgs,
            loss_obj=loss_obj * num_imgs)
