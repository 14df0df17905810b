# SpikeYOLO on mini-VOC, the bundled synthetic data set
# (tools/misc/make_mini_voc.py; 4 shape classes, VOC format), sized for a
# 2-core CPU: the architecture of SpikeYOLO-s (I-LIF, T = 1, D = 4, YOLOv8's
# head and loss) at 1/8 width (channels 16-128, as the mini-VOC SNN-YOLOv3)
# and the s scale's depth, on 160 px inputs, trained from scratch:
#   python tools/misc/make_mini_voc.py
#   python tools/train.py \
#       configs/spikeyolo/spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py
#
# Protocol: MiniVOC trainval (3000 images) -> MiniVOC test (200 images),
# VOCMetric mAP at IoU 0.5 with eval_mode '11points', as the mini-VOC
# SNN-YOLOv3 configs (../mini_voc/). Numbers from it are mini-VOC numbers,
# never PASCAL VOC results.
_base_ = './spikeyolo_s_1xb40-300e_coco_t1d4.py'

deepen_factor, widen_factor, max_channels = 0.33, 0.125, 1024
channels = [32, 64, 128]
model = dict(
    backbone=dict(deepen_factor=deepen_factor, widen_factor=widen_factor,
                  max_channels=max_channels),
    neck=dict(in_channels=channels, widen_factor=widen_factor,
              max_channels=max_channels),
    bbox_head=dict(num_classes=4, in_channels=channels))

# The mini-VOC data of ../mini_voc/snn_yolov3_minivoc_t4.py.
dataset_type = 'VOCDataset'
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star'),
    palette=[(220, 20, 60), (0, 130, 255), (0, 180, 0), (255, 170, 0)])
data_root = 'data/mini_voc/VOCdevkit/'
img_scale = (160, 160)
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
mini_voc_split = dict(
    type=dataset_type,
    metainfo=metainfo,
    data_root=data_root,
    data_prefix=dict(sub_data_root='MiniVOC/'))
loader = dict(batch_size=8, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader,
    dataset=dict(
        _delete_=True,
        **mini_voc_split,
        ann_file='MiniVOC/ImageSets/Main/trainval.txt',
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    dataset=dict(
        _delete_=True,
        **mini_voc_split,
        ann_file='MiniVOC/ImageSets/Main/test.txt',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator

# From scratch with AdamW and a cosine, sized for the comparison table's
# budget of about 10 minutes on 2 cores (configs/mini_voc/README.md): 3
# epochs, about 1100 steps. Check the time of the first run and scale
# max_epochs to the budget.
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=200),
    dict(type='CosineAnnealingLR', eta_min=2e-5, begin=0, by_epoch=True,
         convert_to_iter_based=True)
]
custom_hooks = [dict(type='FiringRateHook')]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0)
