# EMS-YOLO (EMS-Res10) at T=4 on PASCAL VOC07+12 -> VOC07 test, for the
# comparison with SNN-YOLOv3 (../snn_yolov3/snn_yolov3_d53_voc_t4.py). EMS-YOLO
# publishes no VOC recipe: this is its COCO recipe
# (ems-yolo_res10-ee_8xb8-150e_coco_t5.py: SGD, mosaic, 640 px, 150 epochs)
# on VOC's 20 classes, with the loss gains rescaled for 20 classes.
#
# Protocol: VOCMetric with eval_mode '11points' (the VOC2007 devkit's
# metric, which VOC07-test numbers in the literature use).
_base_ = './ems-yolo_res10-ee_8xb8-150e_coco_t5.py'

time_steps = 4
num_classes = 20
num_levels = 2
model = dict(
    time_steps=time_steps,
    bbox_head=dict(
        num_classes=num_classes,
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels)))

dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
voc_trainval = dict(
    type=dataset_type,
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline=[
        dict(type='LoadImageFromFile', backend_args=None),
        dict(type='LoadAnnotations', with_bbox=True)
    ])
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            _delete_=True,
            type='ConcatDataset',
            # VOCDataset adds `dataset_type` to its metainfo, which
            # ConcatDataset would reject as a mismatch of the two years.
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
            ])))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        test_mode=True,
        pipeline={{_base_.test_pipeline}},
        backend_args=None))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator
