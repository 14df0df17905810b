# EMS-YOLO (EMS-Res10) on the Prophesee Gen1 Automotive data set with
# EMS-YOLO's own event representation, evaluated with mmsnn's Gen1
# protocol (../_base_/datasets/gen1.py: Gen1Metric, COCO mAP@[.5:.95] and
# mAP@.5; see docs/events.md).
#
# Their g1-resnet/train_g1.py: the 250 ms of events before each label in
# T=5 bins of 50 ms; each bin a grey frame (127) with every event's pixel
# set to 255 (ON) or 0 (OFF), on 3 identical channels, scaled to 320x320,
# divided by 255; time step t sees bin t. Their g1 yamls' anchors; 250
# epochs, batch 8 in all, their COCO SGD schedule, and the objectness gain
# of their default --img 640. (Their released loader, utils/datasets_g1T.py,
# fills all 5 steps with the first bin's frame; this config gives each step
# its own bin, as their data preparation writes them.)
#
# Their train_g1.py defaults to models/resnet34-cat.yaml: set
# arch='resnet34-cat' for that model.
_base_ = [
    '../_base_/models/ems-yolo_res10-ee.py', '../_base_/datasets/gen1.py',
    '../_base_/schedules/schedule_sgd-nesterov-cosine-150e.py',
    '../_base_/default_runtime_gen1.py'
]

time_steps = 5  # = the number of time bins of the representation
num_classes = 2
num_levels = 2
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
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels)))

window_us = 250_000
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
# 8 GPUs x 1 sample, each loader with the workers of a GPU machine.
train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(window_us=window_us, pipeline=train_pipeline))
test_loader = dict(num_workers=2, persistent_workers=True)
val_dataloader = dict(
    **test_loader,
    dataset=dict(window_us=window_us, pipeline=test_pipeline))
test_dataloader = dict(
    **test_loader,
    dataset=dict(window_us=window_us, pipeline=test_pipeline))

max_epochs = 250
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
custom_hooks = [dict(type='FiringRateHook')]
auto_scale_lr = dict(base_batch_size=8)
