# SNN-YOLOv3 as the authors' released code runs it (it differs from the
# paper: docs/conversion.md): ultralytics YOLOv3-SPP (their
# cfg/my_yolov3.cfg: the SPP block inside the neck's first detection block),
# IF neurons with hard reset to 0, their prediction-bias initialisation,
# prediction current summed (not averaged) over T, trained on VOC2012 train
# and scored on VOC2012 val with COCO-style AP50 (pycocotools, 101-point):
# compare its `coco/bbox_mAP_50` with the paper's 61.87%. Their checkpoints:
# tools/model_converters/ultralytics_yolov3_to_mmsnn.py.
#
# Needs COCO-format annotations of VOC2012 train/val, made by mmdet's
# converter: python mmdet/tools/dataset_converters/pascal_voc.py
#   data/VOCdevkit -o data/coco_voc --out-format coco
_base_ = './snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'

authors_neuron = dict(
    type='IFNeuron', v_threshold=1.0, reset_mode='hard', surrogate_alpha=2.0)
model = dict(
    backbone=dict(neuron_cfg=authors_neuron),
    neck=dict(spp_kernel_sizes=(5, 9, 13), neuron_cfg=authors_neuron),
    bbox_head=dict(
        decode_mode='sum', pred_bias_init='authors',
        neuron_cfg=authors_neuron))

data_root = 'data/VOCdevkit/'
ann_root = 'data/coco_voc/'
metainfo = dict(
    classes=('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
             'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
             'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
             'tvmonitor'))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CocoDataset',
        metainfo=metainfo,
        data_root=data_root,
        ann_file='../coco_voc/voc12_train.json',
        data_prefix=dict(img=''),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CocoDataset',
        metainfo=metainfo,
        data_root=data_root,
        ann_file='../coco_voc/voc12_val.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='CocoMetric',
    ann_file=ann_root + 'voc12_val.json',
    metric='bbox')
test_evaluator = val_evaluator
