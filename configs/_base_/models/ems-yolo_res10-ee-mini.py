# EMS-YOLO (ems-yolo_res10-ee.py) sized for the bundled mini data sets and
# a CPU: EMS-Res10 at a quarter of its width (their width_multiple 0.25:
# 0.39M parameters, near the mini SNN-YOLOv3's 0.57M), and mini-VOC's 4
# classes at 160 px with anchors for its objects (10-80 px), the loss gains
# scaled to them as their train.py scales them.
_base_ = './ems-yolo_res10-ee.py'

widen_factor = 0.25
num_classes = 4
img_size = 160
num_levels = 2
model = dict(
    backbone=dict(widen_factor=widen_factor),
    # stage 3 and 4 channels: 256 and 512 x widen_factor
    neck=dict(widen_factor=widen_factor, in_channels=[64, 128]),
    bbox_head=dict(
        num_classes=num_classes,
        in_channels=[64, 128],
        anchor_generator=dict(base_sizes=[[(10, 10), (16, 16), (24, 24)],
                                          [(34, 34), (48, 48), (72, 72)]]),
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels),
        loss_obj=dict(
            loss_weight=1.0 * (img_size / 640)**2 * 3 / num_levels)),
    test_cfg=dict(max_per_img=100))
