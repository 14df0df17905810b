# SpikeYOLO-s (Luo et al., ECCV 2024; BICLab/SpikeYOLO) on COCO: the
# authors' 23.1M model, T = 1 time step, I-LIF neurons with integer spikes
# up to D = 4 (their released 23M checkpoint). Their code trains it with
# ultralytics 8.0 (logs_23M/args.yaml): 640 px, batch 40, SGD lr 0.01
# momentum 0.937, 300 epochs with 10 of warm-up and a linear decay to
# lr x 0.004, mosaic until the last 10 epochs, EMA of the weights. The loss
# is YOLOv8's (SpikeYOLOHead). Reported: 66.2 mAP@0.5 / 48.9 mAP@0.5:0.95
# for the 69M model (spikeyolo_l_*), less for this one.
#
# Their checkpoints load with tools/model_converters/spikeyolo_to_mmsnn.py.
# Spike-driven inference (D binary steps per time step, same outputs):
# model.reparameterize(); model.spike_driven = True (docs/energy.md).
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/default_runtime.py'
]

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

# The scale: snn_yolov8.yaml's (deepen, widen, max_channels); P3-P5
# channels int(256w), int(512w), ceil(1024w / 8) * 8.
deepen_factor, widen_factor, max_channels = 0.33, 0.5, 1024
channels = [128, 256, 512]
time_steps, max_spike_count = 1, 4
num_classes = 80
model = dict(
    type='SpikeYOLO',
    time_steps=time_steps,
    max_spike_count=max_spike_count,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_value=114),
    backbone=dict(
        type='SpikeYOLOBackbone',
        deepen_factor=deepen_factor,
        widen_factor=widen_factor,
        max_channels=max_channels),
    neck=dict(
        type='SpikeYOLONeck',
        in_channels=channels,
        widen_factor=widen_factor,
        max_channels=max_channels,
        last_mlp_ratio=1),
    bbox_head=dict(
        type='SpikeYOLOHead', num_classes=num_classes, in_channels=channels),
    # YOLOv8's assignment and post-processing (the head's defaults).
    train_cfg=dict(
        assigner=dict(type='YOLOv8TaskAlignedAssigner', topk=10),
        alpha=0.5,
        beta=6.0),
    test_cfg=dict(
        nms_pre=30000,
        score_thr=0.001,
        nms=dict(type='nms', iou_threshold=0.7),
        max_per_img=300))

img_scale = (640, 640)
# ultralytics' augmentation in mmdet's transforms: mosaic, random affine
# (translate 0.1, scale 0.5-1.5), HSV (0.015, 0.7, 0.4), flip.
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='CachedMosaic', img_scale=img_scale, pad_val=114.0),
    dict(
        type='RandomAffine',
        max_rotate_degree=0.,
        max_shear_degree=0.,
        max_translate_ratio=0.1,
        scaling_ratio_range=(0.5, 1.5),
        border=(-img_scale[0] // 2, -img_scale[1] // 2),
        border_val=(114, 114, 114)),
    dict(type='YOLOXHSVRandomAug', hue_delta=4, saturation_delta=70,
         value_delta=40),
    dict(type='RandomFlip', prob=0.5),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs')
]
# The last 10 epochs without mosaic (ultralytics' close_mosaic).
train_pipeline_stage2 = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='YOLOXHSVRandomAug', hue_delta=4, saturation_delta=70,
         value_delta=40),
    dict(type='RandomFlip', prob=0.5),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=40,
    num_workers=8,
    batch_sampler=None,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

max_epochs, warmup_epochs, close_mosaic_epochs = 300, 10, 10
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# SGD (Nesterov) on batch 40, weight decay scaled to ultralytics' nominal
# batch 64 (5e-4 x 40 x 2 / 64), none on norms and biases.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.937, weight_decay=6.25e-4,
        nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1., end_factor=0.004, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook',
         switch_epoch=max_epochs - close_mosaic_epochs,
         switch_pipeline=train_pipeline_stage2),
    dict(type='FiringRateHook')
]
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
auto_scale_lr = dict(enable=False, base_batch_size=40)
