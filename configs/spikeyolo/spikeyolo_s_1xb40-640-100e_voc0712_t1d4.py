# SpikeYOLO-s on PASCAL VOC (T = 1, D = 4): the COCO config's recipe for
# 100 epochs on VOC07+12 trainval -> VOC07 test, VOCMetric with 11 points
# (../_base_/datasets/voc0712_splits.py).
_base_ = [
    './spikeyolo_s_1xb40-640-300e_coco_t1d4.py',
    '../_base_/datasets/voc0712_splits.py'
]

model = dict(bbox_head=dict(num_classes=20))

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        **_base_.voc0712_trainval_concat,
        datasets=[
            dict(split, pipeline=_base_.train_pipeline)
            for split in _base_.voc0712_trainval
        ]))
val_dataloader = dict(
    dataset=dict(
        _delete_=True, **_base_.voc07_test, pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, **_base_.voc07_metric)
test_evaluator = val_evaluator

max_epochs = 100
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook',
         switch_epoch=max_epochs - _base_.close_mosaic_epochs,
         switch_pipeline=_base_.train_pipeline_stage2),
    dict(type='FiringRateHook')
]
