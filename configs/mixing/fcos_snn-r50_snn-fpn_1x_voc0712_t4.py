# FCOS with a spiking ResNet-50 backbone and a spiking FPN, on PASCAL
# VOC07+12 -> VOC07 test: mmdet's VOC data and 1x schedule (as its
# pascal_voc/retinanet_r50_fpn_1x_voc0712.py; mmdet has no FCOS VOC config)
# with the model, optimizer and warm-up of its
# fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py.
#
# Spiking: the backbone (SpikingResNet: every ReLU an IF neuron, the stem's
#   conv + BN computed once and its current repeated over T) and the FPN
#   (IF neurons as act_cfg of its lateral, output and extra convs).
# ANN: the FCOS head, fed the FPN's firing rates (decode_mode='mean'): its
#   GroupNorm, Scale, exp of the box branch and centerness see real values
#   of one pass per image, as in mmdet.
# SpikingFCOS is mmdet's FCOS that owns T: `model.time_steps` is the one
# place it is set (`--cfg-options model.time_steps=6`).
_base_ = [
    'mmdet::_base_/datasets/voc0712.py',
    'mmdet::_base_/schedules/schedule_1x.py', '../_base_/default_runtime.py'
]

time_steps = 4
model = dict(
    type='SpikingFCOS',
    time_steps=time_steps,
    # The torchvision ResNet-50 and its normalisation, as in the RetinaNet and
    # Faster R-CNN mixing configs, instead of mmdet FCOS's caffe ResNet-50
    # (BGR, std 1, frozen BN). Parameter names are mmdet's, so it loads (a
    # download; set init_cfg=None to start from scratch).
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='SpikingResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        # BN statistics of spikes differ from the ANN's: train them all.
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
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
    bbox_head=dict(
        type='FCOSHead',
        num_classes=20,
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        strides=[8, 16, 32, 64, 128],
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='IoULoss', loss_weight=1.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=100))

# The VOC data are repeated 3 times, so 4 epochs here are 12 epochs of
# VOC07+12; FCOS's warm-up and optimizer.
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
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(bias_lr_mult=2., bias_decay_mult=0.),
    clip_grad=dict(max_norm=35, norm_type=2))
