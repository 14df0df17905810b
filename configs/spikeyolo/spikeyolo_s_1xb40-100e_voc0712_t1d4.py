# SpikeYOLO-s on PASCAL VOC (T = 1, D = 4), with the COCO config's recipe
# for 100 epochs. Protocol: VOC07+12 trainval -> VOC07 test, VOCMetric with
# eval_mode '11points' (as ../snn_yolov3/yolov3_d53_voc.py).
_base_ = './spikeyolo_s_1xb40-300e_coco_t1d4.py'

model = dict(bbox_head=dict(num_classes=20))

dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
voc_trainval = dict(
    type=dataset_type,
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline={{_base_.train_pipeline}})
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        # VOCDataset adds `dataset_type` to its metainfo, which ConcatDataset
        # would reject as a mismatch between VOC2007 and VOC2012.
        ignore_keys=['dataset_type'],
        datasets=[
            dict(**voc_trainval,
                 ann_file='VOC2007/ImageSets/Main/trainval.txt',
                 data_prefix=dict(sub_data_root='VOC2007/')),
            dict(**voc_trainval,
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
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True, type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator

max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=10, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1., end_factor=0.004, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=max_epochs - 10,
         switch_pipeline={{_base_.train_pipeline_stage2}}),
    dict(type='FiringRateHook')
]
