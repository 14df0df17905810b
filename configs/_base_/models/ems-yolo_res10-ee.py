# EMS-YOLO (Su et al., ICCV 2023; BICLab/EMS-YOLO) with EMS-Res10 (their
# models/res10-ee.yaml) for COCO's 80 classes at 640 px, layer for layer as
# their released code builds it (parameter counts and outputs checked
# against it): EMSResNet + EMSYOLONeck with STBPLIFNeuron (decay 0.25,
# threshold 0.5, rectangular surrogate), the image into a first conv + BN
# without activation, membrane shortcuts, and YOLOv5's Detect head averaging
# its convs over T (CMDYOLOV5Head, decode_mode='mean'). T (their
# time_window, 5) is set by the config that uses it (`model.time_steps`).
arch = 'res10-ee'
num_classes = 80
img_size = 640
# ultralytics' gains (hyp.scratch.yaml: box 0.05, cls 0.5, obj 1.0) scaled
# as their train.py scales them: x 3 / levels, cls x K / 80, obj x
# (size / 640)^2.
num_levels = 2
model = dict(
    type='EMSYOLO',
    # ultralytics feeds RGB / 255
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(type='EMSResNet', arch=arch),
    neck=dict(type='EMSYOLONeck', arch=arch, in_channels=[256, 512]),
    bbox_head=dict(
        type='CMDYOLOV5Head',
        decode_mode='mean',
        num_classes=num_classes,
        in_channels=[256, 512],
        # the yaml's anchors (pixels), P4/16 then P5/32
        anchor_generator=dict(
            type='YOLOAnchorGenerator',
            base_sizes=[[(10, 14), (23, 27), (37, 58)],
                        [(81, 82), (135, 169), (344, 319)]],
            strides=[16, 32]),
        featmap_strides=[16, 32],
        loss_cls=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            reduction='mean',
            loss_weight=0.5 * num_classes / 80 * 3 / num_levels),
        loss_obj=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            reduction='mean',
            loss_weight=1.0 * (img_size / 640)**2 * 3 / num_levels),
        loss_bbox=dict(
            type='YOLOV5CIoULoss', loss_weight=0.05 * 3 / num_levels),
        obj_level_weights=[4.0, 1.0]),
    # their val.py: conf 0.001, NMS IoU 0.6, up to 300 boxes
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        conf_thr=0.001,
        score_thr=0.001,
        nms=dict(type='nms', iou_threshold=0.6),
        max_per_img=300))
