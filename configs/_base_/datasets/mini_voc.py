# mini-VOC, the bundled synthetic data set (tools/misc/make_mini_voc.py:
# four shape classes, VOC layout): MiniVOC trainval (3000 images) ->
# MiniVOC test (200 images) at 160 px, VOCMetric mAP at IoU 0.5 with the
# 11-point AP. Its numbers are mini-VOC numbers, never PASCAL VOC results.
dataset_type = 'VOCDataset'
data_root = 'data/mini_voc/VOCdevkit/'
backend_args = None
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star'),
    palette=[(220, 20, 60), (0, 130, 255), (0, 180, 0), (255, 170, 0)])
img_scale = (160, 160)
# The paper's augmentation (flip) at mini-VOC's scale.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
# Images are loaded in the main process: on 2 cores a loader worker takes
# CPU from the two compute threads. `--resume` still continues exactly (the
# main process's random state is in every checkpoint).
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        metainfo=metainfo,
        data_root=data_root,
        ann_file='MiniVOC/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='MiniVOC/'),
        # VOC's bbox_min_size=32 would drop most mini-VOC objects.
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        metainfo=metainfo,
        data_root=data_root,
        ann_file='MiniVOC/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='MiniVOC/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator
