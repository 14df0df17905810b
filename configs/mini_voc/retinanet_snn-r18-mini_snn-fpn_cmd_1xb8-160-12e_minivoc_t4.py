# A fully spiking RetinaNet at T=4 on mini-VOC: spiking ResNet-18 (1/4
# width), spiking FPN, and CMDRetinaHead, whose towers spike and whose
# retina_cls / retina_reg decode by Current Mean Decoding. The CPU-sized
# version of ../mixing/retinanet_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py.
#
# Trained from scratch (no ANN twin or ImageNet weights at this width).
# Anchors are scaled to mini-VOC's objects (10-80 px at 160 px): base size
# 2 x stride, 3 scales an octave, at strides 8-128. The schedule is a first
# guess, not tuned.
_base_ = [
    '../_base_/datasets/mini_voc.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime.py'
]

time_steps = 4
channels = [32, 64, 128]  # ResNet-18 stages 2-4 at base_channels=16
model = dict(
    type='SpikingRetinaNet',
    time_steps=time_steps,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='SpikingResNet',
        depth=18,
        base_channels=16,
        num_stages=4,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='Spikify',
        encode=False,  # spikes in, spikes out: the head takes them folded
        module=dict(
            type='FPN',
            in_channels=channels,
            out_channels=64,
            start_level=0,
            add_extra_convs='on_input',
            num_outs=5,
            act_cfg=dict(type='IFNeuron'))),
    bbox_head=dict(
        type='CMDRetinaHead',
        decode_mode='mean',
        num_classes=4,
        in_channels=64,
        stacked_convs=2,
        feat_channels=64,
        anchor_generator=dict(
            type='AnchorGenerator',
            octave_base_scale=2,
            scales_per_octave=3,
            ratios=[0.5, 1.0, 2.0],
            strides=[8, 16, 32, 64, 128]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner',
            pos_iou_thr=0.5,
            neg_iou_thr=0.4,
            min_pos_iou=0,
            ignore_iof_thr=-1),
        sampler=dict(type='PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=100))

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
default_hooks = dict(
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best='auto'))
# Log each stage's firing rate with the test (and val) metrics.
custom_hooks = [dict(type='FiringRateHook')]
