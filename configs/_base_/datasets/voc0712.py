# PASCAL VOC07+12 trainval -> VOC07 test (voc0712_splits.py) at YOLOv3's
# 416 px, scored by VOCMetric with the VOC2007 devkit's 11-point AP (what
# VOC07-test numbers in the literature use). Augmentation is the paper's:
# horizontal flip and normalisation (the data preprocessor's). mmdet's own
# _base_/datasets/voc0712.py (1000x600, repeated 3 times) serves the
# RetinaNet, Faster R-CNN and FCOS configs of configs/mixing/.
_base_ = './voc0712_splits.py'

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
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        **_base_.voc0712_trainval_concat,
        datasets=[
            dict(split, pipeline=train_pipeline, backend_args=backend_args)
            for split in _base_.voc0712_trainval
        ]))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _base_.voc07_test, pipeline=test_pipeline, backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = _base_.voc07_metric
test_evaluator = val_evaluator
