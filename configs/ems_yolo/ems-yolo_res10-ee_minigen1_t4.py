# EMS-YOLO (EMS-Res10 at a quarter width, as ems-yolo_res10-ee_minivoc_t4.py)
# at T=4 on mini-Gen1, the bundled synthetic event-camera data set
# (tools/misc/make_mini_gen1.py), beside SNN-YOLOv3 on the same data,
# representation, schedule and protocol (../events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py:
# 50 ms of events in T=4 bins of 2-channel (OFF, ON) counts, time step t
# sees bin t, 192x152 padded to 192x160, 10 epochs from scratch, AdamW lr
# 1e-2, cosine).
#
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py configs/ems_yolo/ems-yolo_res10-ee_minigen1_t4.py
#
# EMS-YOLO's own Gen1 representation (grey frames painted by polarity, 5
# bins over 250 ms) is in ems-yolo_res10-ee_gen1_t5.py.
#
# Protocol: Gen1's (Gen1Metric: COCO mAP@[.5:.95] and mAP@.5). Numbers from
# this config are synthetic mini-Gen1 numbers, never Gen1 results.
_base_ = '../events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'

time_steps = 4
arch = 'res10-ee'
widen_factor = 0.25
num_classes = 2
img_size = 192
num_levels = 2
model = dict(
    _delete_=True,
    type='EMSYOLO',
    time_steps=time_steps,
    data_preprocessor=dict(
        type='EventDetDataPreprocessor', fold='time', pad_size_divisor=32),
    backbone=dict(
        type='EMSResNet',
        arch=arch,
        widen_factor=widen_factor,
        in_channels=2,
        encoding='sequence'),
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
        # (w, h) at 192x152: the smaller three of the SNN-YOLOv3 config's
        # nine on P4, the larger on P5
        anchor_generator=dict(
            type='YOLOAnchorGenerator',
            base_sizes=[[(12, 30), (24, 14), (34, 20)],
                        [(24, 56), (70, 40), (120, 70)]],
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
optim_wrapper = dict(
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
