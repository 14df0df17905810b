# PASCAL VOC's splits as data sets without a pipeline: VOC2007 + VOC2012
# trainval (images without objects, and objects under 32 px, left out) and
# VOC2007 test. voc0712.py gives them YOLOv3's pipeline; a config with its
# own augmentation (e.g. ../../ems_yolo/, ../../spikeyolo/) inherits these
# beside its COCO config and gives each split its pipeline.
voc0712_trainval = [
    dict(
        type='VOCDataset',
        data_root='data/VOCdevkit/',
        ann_file=f'VOC{year}/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root=f'VOC{year}/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32))
    for year in (2007, 2012)
]
voc07_test = dict(
    type='VOCDataset',
    data_root='data/VOCdevkit/',
    ann_file='VOC2007/ImageSets/Main/test.txt',
    data_prefix=dict(sub_data_root='VOC2007/'),
    test_mode=True)
# VOCDataset adds `dataset_type` to its metainfo, which ConcatDataset would
# reject as a mismatch between VOC2007 and VOC2012.
voc0712_trainval_concat = dict(
    type='ConcatDataset', ignore_keys=['dataset_type'])
# The VOC2007 devkit's 11-point AP, what VOC07-test numbers in the
# literature use.
voc07_metric = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
