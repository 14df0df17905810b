# SpikeYOLO-s (Luo et al., ECCV 2024; BICLab/SpikeYOLO) on COCO: the
# authors' 23.1M model at T = 1, D = 4 (their released 23M checkpoint),
# trained as their code trains it with ultralytics 8.0
# (logs_23M/args.yaml): 640 px, batch 40, the SGD schedule of
# ../_base_/schedules/ for 300 epochs, mosaic until the last 10 epochs, EMA
# of the weights. Reported: 66.2 mAP@0.5 / 48.9 mAP@0.5:0.95 for the 69M
# model (spikeyolo_l_*), less for this one.
#
# Their checkpoints load with tools/model_converters/spikeyolo_to_mmsnn.py.
_base_ = [
    '../_base_/models/spikeyolo_s.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedules/schedule_sgd-nesterov-linear-300e.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=1)

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
close_mosaic_epochs = 10
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

custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook',
         switch_epoch=_base_.max_epochs - close_mosaic_epochs,
         switch_pipeline=train_pipeline_stage2),
    dict(type='FiringRateHook')
]
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
