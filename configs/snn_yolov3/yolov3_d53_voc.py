# ANN YOLOv3 (Darknet-53, 416) on PASCAL VOC: the baseline of SNN-YOLOv3,
# with the identical data pipeline and schedule as the spiking configs.
#
# Protocol: VOC07+12 trainval -> VOC07 test, VOCMetric with eval_mode
# '11points' (the VOC2007 devkit's metric, which VOC07-test numbers in the
# literature use). The authors' own protocol (VOC2012 val, COCO-style AP50) is
# snn_yolov3_spp_voc2012_t6_authors.py.
_base_ = 'mmdet::yolo/yolov3_d53_8xb8-ms-416-273e_coco.py'

custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)

model = dict(
    # ImageNet-pretrained Darknet is a download; start from scratch, or set
    # `load_from` to a local checkpoint.
    backbone=dict(init_cfg=None),
    bbox_head=dict(num_classes=20))

# The paper augments with horizontal flip and normalisation only
# (normalisation is the data_preprocessor's mean 0 / std 255).
dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
backend_args = None
img_scale = (416, 416)
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
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
    batch_size=8,
    num_workers=4,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        # VOCDataset adds `dataset_type` to its metainfo, which ConcatDataset
        # would reject as a mismatch between VOC2007 and VOC2012.
        ignore_keys=['dataset_type'],
        datasets=[
            dict(
                **voc_trainval,
                ann_file='VOC2007/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2007/')),
            dict(
                **voc_trainval,
                ann_file='VOC2012/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2012/')),
        ]))
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
val_evaluator = dict(
    _delete_=True, type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator

# SGD with momentum 0.9 and cosine annealing, as in the paper.
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=0,
        end=max_epochs,
        T_max=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
auto_scale_lr = dict(base_batch_size=64)
