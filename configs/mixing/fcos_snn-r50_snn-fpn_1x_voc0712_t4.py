# FCOS with a spiking ResNet-50 backbone and a spiking FPN, on PASCAL
# VOC07+12 -> VOC07 test (mmdet's fcos_r50-caffe_fpn_gn-head_1x_coco.py
# otherwise: GN head, FCOS optimizer and warm-up).
#
# Spiking: the backbone (SpikingResNet: every ReLU an IF neuron, the stem's
#   conv + BN computed once and its current repeated over T) and the FPN
#   (IF neurons as act_cfg of its lateral, output and extra convs).
# ANN: the FCOS head, fed the FPN's firing rates (decode_mode='mean'): its
#   GroupNorm, Scale, exp of the box branch and centerness see real values
#   of one pass per image, as in mmdet.
# SpikingFCOS is mmdet's FCOS that owns T: `model.time_steps` is the one
# place it is set (`--cfg-options model.time_steps=6`).
#
# mmdet has no FCOS VOC config, and its VOC dataset base cannot be a second
# `_base_` (keys such as train_dataloader would be duplicated): the data
# and schedule of mmdet's pascal_voc/retinanet_r50_fpn_1x_voc0712.py (base
# _base_/datasets/voc0712.py) are restated below.
_base_ = 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py'

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

time_steps = 4
model = dict(
    type='SpikingFCOS',
    time_steps=time_steps,
    # The torchvision ResNet-50 and its normalisation, as in the RetinaNet and
    # Faster R-CNN mixing configs, instead of the base's caffe ResNet-50 (BGR,
    # std 1, frozen BN). Parameter names are mmdet's, so it loads (a
    # download; set init_cfg=None to start from scratch).
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    # BN statistics of spikes differ from the ANN's: train them all.
    backbone=dict(
        type='SpikingResNet',
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        _delete_=True,
        type='Spikify',
        encode=False,  # its input is already spikes, time-folded
        decode_mode='mean',
        module=dict(
            type='FPN',
            in_channels=[256, 512, 1024, 2048],
            out_channels=256,
            start_level=1,
            add_extra_convs='on_output',  # use P5
            num_outs=5,
            relu_before_extra_convs=True,  # identity on spikes
            act_cfg=dict(type='IFNeuron'))),
    bbox_head=dict(num_classes=20))

# dataset settings (mmdet's _base_/datasets/voc0712.py)
dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
backend_args = None
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1000, 600), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1000, 600), keep_ratio=True),
    # avoid bboxes being resized
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
voc_trainval = dict(
    type=dataset_type,
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline=train_pipeline,
    backend_args=backend_args)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=3,
        dataset=dict(
            type='ConcatDataset',
            # VOCDataset adds `dataset_type` to its metainfo, which
            # ConcatDataset would reject as a mismatch between VOC2007 and
            # VOC2012.
            ignore_keys=['dataset_type'],
            datasets=[
                dict(
                    **voc_trainval,
                    ann_file='VOC2007/ImageSets/Main/trainval.txt',
                    data_prefix=dict(sub_data_root='VOC2007/')),
                dict(
                    **voc_trainval,
                    ann_file='VOC2012/ImageSets/Main/trainval.txt',
                    data_prefix=dict(sub_data_root='VOC2012/'))
            ])))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
# VOC2007 test: the devkit's 11-point AP
val_evaluator = dict(
    _delete_=True, type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator

# training schedule: the VOC data are repeated 3 times, so 4 epochs here are
# 12 epochs of VOC07+12 (FCOS's warm-up kept)
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[3],
        gamma=0.1)
]
