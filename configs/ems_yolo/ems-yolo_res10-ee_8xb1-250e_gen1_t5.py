# EMS-YOLO (EMS-Res10) on the Prophesee Gen1 Automotive data set with
# EMS-YOLO's own event representation, evaluated with mmsnn's Gen1
# protocol (Gen1Metric: COCO mAP@[.5:.95] and mAP@.5 over the labelled
# timestamps, boxes with diagonal >= 30 px and sides >= 10 px, none in the
# first 0.1 s; see docs/events.md).
#
# Their g1-resnet/train_g1.py: the 250 ms of events before each label in
# T=5 bins of 50 ms; each bin a grey frame (127) with every event's pixel
# set to 255 (ON) or 0 (OFF), on 3 identical channels, scaled to 320x320,
# divided by 255; time step t sees bin t. Their g1 yamls' anchors; 250
# epochs, batch 8 in all, SGD as their COCO recipe
# (ems-yolo_res10-ee_8xb8-150e_coco_t5.py), and the objectness gain of their
# default --img 640. (Their released loader, utils/datasets_g1T.py, fills
# all 5 steps with the first bin's frame; this config gives each step its
# own bin, as their data preparation writes them.)
#
# Data: data/gen1/{train,val,test}/NAME_td.dat and NAME_bbox.npy (see
# ../events/snn_yolov3_gen1_t4.py). Their train_g1.py defaults to
# models/resnet34-cat.yaml: set arch='resnet34-cat' for that model.
_base_ = './ems-yolo_res10-ee_8xb8-150e_coco_t5.py'

time_steps = 5
num_classes = 2
num_levels = 2
window_us = 250_000
model = dict(
    time_steps=time_steps,
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        scale=1 / 255,
        pad_size_divisor=32),
    backbone=dict(encoding='sequence'),
    bbox_head=dict(
        num_classes=num_classes,
        anchor_generator=dict(base_sizes=[[(10, 14), (23, 27), (37, 58)],
                                          [(81, 82), (135, 169), (216,
                                                                 269)]]),
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels),
        loss_obj=dict(loss_weight=1.0 * 3 / num_levels)))

dataset_type = 'Gen1Dataset'
data_root = 'data/gen1/'
img_scale = (320, 320)
train_pipeline = [
    dict(type='LoadPropheseeEvents'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='ResizeEvents', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlipEvents', prob=0.5),
    dict(type='EventsToPolarityFrames', num_bins=time_steps),
    dict(type='PackEventDetInputs')
]
test_pipeline = [
    dict(type='LoadPropheseeEvents'),
    dict(type='ResizeEvents', scale=img_scale, keep_ratio=False),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='EventsToPolarityFrames', num_bins=time_steps),
    dict(type='PackEventDetInputs')
]
gen1_split = dict(type=dataset_type, data_root=data_root, window_us=window_us)
train_dataloader = dict(
    batch_size=1,
    dataset=dict(
        _delete_=True,
        **gen1_split,
        data_prefix=dict(events='train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
gen1_eval = dict(**gen1_split, test_mode=True, pipeline=test_pipeline)
val_dataloader = dict(
    batch_size=8,
    dataset=dict(_delete_=True, **gen1_eval, data_prefix=dict(events='val/')))
test_dataloader = dict(
    batch_size=8,
    dataset=dict(
        _delete_=True, **gen1_eval, data_prefix=dict(events='test/')))
val_evaluator = dict(_delete_=True, type='Gen1Metric')
test_evaluator = val_evaluator

max_epochs = 250
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(
    checkpoint=dict(save_best='gen1/mAP', rule='greater'),
    visualization=dict(type='EventVisualizationHook'))
auto_scale_lr = dict(base_batch_size=8)
