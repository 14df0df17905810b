# EMS-YOLO (Su et al., ICCV 2023; BICLab/EMS-YOLO) on COCO: EMS-Res10
# (models/res10-ee.yaml), T=5 (the released code's time_window).
#
# The model is theirs layer for layer (parameter counts and outputs checked
# against their code): EMSResNet + EMSYOLONeck with STBPLIFNeuron (decay
# 0.25, threshold 0.5, rectangular surrogate), the image repeated over T
# into a first conv + BN without activation, membrane shortcuts, and
# YOLOv5's Detect head averaging its convs over T (CMDYOLOV5Head,
# decode_mode='mean'). Their hyperparameters (data/hyps/hyp.scratch.yaml,
# runs/train/opt.yaml): SGD nesterov lr 0.01 momentum 0.937 weight decay
# 5e-4 (not on BN and biases), 3 warm-up epochs, cosine to 0.1 x lr, 150
# epochs, 640 px, loss gains scaled as their train.py scales them.
# Their augmentation (mosaic, random affine, HSV, flip) is approximated with
# mmdet's Mosaic / RandomAffine / YOLOXHSVRandomAug / RandomFlip.
#
# Convert their checkpoints (a state_dict re-saved as {'model': ...}):
#   python tools/model_converters/ems_yolo_to_mmsnn.py their.pt ours.pth \
#       --config configs/ems_yolo/ems-yolo_res10-ee_8xb8-150e_coco_t5.py
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

time_steps = 5
arch = 'res10-ee'
num_classes = 80
img_scale = (640, 640)
# ultralytics' gains (hyp.scratch.yaml: box 0.05, cls 0.5, obj 1.0) scaled
# by train.py: x 3 / levels, cls x K / 80, obj x (size / 640)^2.
num_levels = 2
model = dict(
    type='EMSYOLO',
    time_steps=time_steps,
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
            loss_weight=1.0 * (img_scale[0] / 640)**2 * 3 / num_levels),
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

dataset_type = 'CocoDataset'
data_root = 'data/coco/'
train_pipeline = [
    dict(type='Mosaic', img_scale=img_scale, pad_val=114.0),
    dict(
        type='RandomAffine',
        max_rotate_degree=0.,
        max_translate_ratio=0.1,
        scaling_ratio_range=(0.5, 1.5),
        max_shear_degree=0.,
        border=(-img_scale[0] // 2, -img_scale[1] // 2)),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(
        _delete_=True,
        type='MultiImageMixDataset',
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='annotations/instances_train2017.json',
            data_prefix=dict(img='train2017/'),
            pipeline=[
                dict(type='LoadImageFromFile',
                     backend_args={{_base_.backend_args}}),
                dict(type='LoadAnnotations', with_bbox=True)
            ],
            filter_cfg=dict(filter_empty_gt=False, min_size=32)),
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

max_epochs = 150
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=10)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.937, weight_decay=5e-4,
        nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.001,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    # no `end`: the runner ends it at train_cfg's max_epochs
    dict(
        type='CosineAnnealingLR',
        eta_min_ratio=0.1,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
# Log each stage's firing rate with the validation metrics.
custom_hooks = [dict(type='FiringRateHook')]
auto_scale_lr = dict(base_batch_size=64)
