# EMS-YOLO (EMS-Res10, models/res10-ee.yaml) at T=4 on mini-VOC, the bundled
# synthetic data set (tools/misc/make_mini_voc.py; 4 shape classes, VOC
# format), beside SNN-YOLOv3 (../mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py) on the
# same data, pipeline, batch and protocol.
#
# The model of ems-yolo_res10-ee_8xb8-150e_coco_t5.py (STBPLIFNeuron,
# membrane shortcuts, YOLOv5 head averaging over T) at a quarter of its
# width (EMS-YOLO's width_multiple 0.25: 0.39M parameters, near the mini
# SNN-YOLOv3's 0.57M), T=4, 160 px, anchors for mini-VOC's objects. EMS-YOLO
# trains from scratch (no ANN twin exists), so this config does too, with
# AdamW and a cosine schedule. 8 epochs: a step costs about half the mini
# SNN-YOLOv3's (0.57x its MACs, half its neuron updates and conv outputs),
# so 8 epochs take about the time of that model's 4-epoch fine-tuning on a
# 2-core CPU. The loss gains are ultralytics', scaled for 2 levels, 4
# classes and 160 px as their train.py scales them.
#
#   python tools/train.py configs/ems_yolo/ems-yolo_res10-ee_minivoc_t4.py
#
# Protocol: MiniVOC trainval -> MiniVOC test, VOCMetric mAP@0.5 (11
# points). Numbers from it are mini-VOC numbers, never PASCAL VOC results.
_base_ = '../mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'

time_steps = 4
arch = 'res10-ee'
widen_factor = 0.25
num_classes = 4
img_size = 160
num_levels = 2
model = dict(
    _delete_=True,
    type='EMSYOLO',
    time_steps=time_steps,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(type='EMSResNet', arch=arch, widen_factor=widen_factor),
    # stage 3 and 4 channels: 256 and 512 x widen_factor
    neck=dict(
        type='EMSYOLONeck',
        arch=arch,
        widen_factor=widen_factor,
        in_channels=[64, 128]),
    bbox_head=dict(
        type='CMDYOLOV5Head',
        decode_mode='mean',
        num_classes=num_classes,
        in_channels=[64, 128],
        # mini-VOC's objects are 10-80 px at 160 px
        anchor_generator=dict(
            type='YOLOAnchorGenerator',
            base_sizes=[[(10, 10), (16, 16), (24, 24)],
                        [(34, 34), (48, 48), (72, 72)]],
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
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        conf_thr=0.001,
        score_thr=0.001,
        nms=dict(type='nms', iou_threshold=0.6),
        max_per_img=100))

load_from = None
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=3e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=None)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
