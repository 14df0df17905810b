# mini-VOC, the bundled synthetic data set (tools/misc/make_mini_voc.py:
# four shape classes in VOC's layout and format): MiniVOC trainval (3000
# images) -> MiniVOC test (200 images) at 160 px, scored as VOC07 test
# (VOCMetric, AP@0.5 with 11 points). Its numbers are mini-VOC numbers,
# never PASCAL VOC results.
_base_ = './voc0712.py'

data_root = 'data/mini_voc/VOCdevkit/'
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
mini_voc = dict(data_root=data_root, data_prefix=dict(sub_data_root='MiniVOC/'))
# Images are loaded in the main process: on 2 cores a loader worker takes
# CPU from the two compute threads. `--resume` still continues exactly (the
# main process's random state is in every checkpoint).
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,  # one split, not VOC's ConcatDataset of two
        type='VOCDataset',
        metainfo=metainfo,
        ann_file='MiniVOC/ImageSets/Main/trainval.txt',
        # VOC's bbox_min_size=32 would drop most mini-VOC objects.
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline,
        **mini_voc))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        metainfo=metainfo,
        ann_file='MiniVOC/ImageSets/Main/test.txt',
        pipeline=test_pipeline,
        **mini_voc))
test_dataloader = val_dataloader
