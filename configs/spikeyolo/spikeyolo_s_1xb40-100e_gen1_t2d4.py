# SpikeYOLO-s on the real Prophesee Gen1 Automotive data set at the
# authors' Gen1 setting (T = 2, D = 4; their 23M Gen1 checkpoint), in
# mmsnn's Gen1 protocol (spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py; both
# gen1/mAP_50, their 67.2's metric, and gen1/mAP, mAP@0.5:0.95). Their Gen1
# training: 100 epochs of ultralytics' recipe, batch 40, 320x320 frames.
# Put (or link) the unpacked data set in data/gen1/ (docs/events.md).
_base_ = './spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py'

deepen_factor, widen_factor, max_channels = 0.33, 0.5, 1024
channels = [128, 256, 512]
model = dict(
    backbone=dict(deepen_factor=deepen_factor, widen_factor=widen_factor,
                  max_channels=max_channels),
    neck=dict(in_channels=channels, widen_factor=widen_factor,
              max_channels=max_channels),
    bbox_head=dict(in_channels=channels))

data_root = 'data/gen1/'
dataset_type = 'Gen1Dataset'
train_dataloader = dict(
    batch_size=40, num_workers=8,
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))

max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
# ultralytics' SGD recipe (as the COCO config), warm-up 10 epochs, linear
# decay to lr x 0.004.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='SGD', lr=0.01, momentum=0.937,
                   weight_decay=6.25e-4, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=10, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1., end_factor=0.004, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='FiringRateHook')
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
