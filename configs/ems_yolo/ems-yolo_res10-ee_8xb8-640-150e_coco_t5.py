# EMS-YOLO (Su et al., ICCV 2023; BICLab/EMS-YOLO) on COCO: EMS-Res10
# (models/res10-ee.yaml), T=5 (the released code's time_window), with their
# recipe (data/hyps/hyp.scratch.yaml, runs/train/opt.yaml): 640 px, 8 x 8
# images, the SGD schedule of ../_base_/schedules/, and ultralytics'
# augmentation (mosaic, random affine, HSV, flip) approximated with mmdet's
# Mosaic / RandomAffine / YOLOXHSVRandomAug / RandomFlip.
#
# Convert their checkpoints (a state_dict re-saved as {'model': ...}):
#   python tools/model_converters/ems_yolo_to_mmsnn.py their.pt ours.pth \
#       --config configs/ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py
_base_ = [
    '../_base_/models/ems-yolo_res10-ee.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedules/schedule_sgd-nesterov-cosine-150e.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=5)

img_scale = (640, 640)
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
# Letterboxed to 640 x 640 with ultralytics' grey, as their val.py.
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
# Mosaic draws 3 more images per sample: the data set loads images and
# boxes, the wrapper mixes them.
load_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True)
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    dataset=dict(
        _delete_=True,
        type='MultiImageMixDataset',
        dataset=dict(
            type={{_base_.dataset_type}},
            data_root={{_base_.data_root}},
            ann_file='annotations/instances_train2017.json',
            data_prefix=dict(img='train2017/'),
            pipeline=load_pipeline,
            filter_cfg=dict(filter_empty_gt=False, min_size=32)),
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
# Log each stage's firing rate with the validation metrics.
custom_hooks = [dict(type='FiringRateHook')]
