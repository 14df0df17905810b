# SpikeYOLO-s on the Prophesee Gen1 Automotive data set at the authors'
# Gen1 setting (T = 2, D = 4; their 23M Gen1 checkpoint), with their Gen1
# training (100 epochs of their COCO recipe, batch 40), on mmsnn's Gen1
# data and protocol in 2 bins (../_base_/datasets/gen1_2bins.py): both
# gen1/mAP_50, their 67.2's metric, and gen1/mAP (mAP@0.5:0.95) are logged.
# Put (or link) the unpacked data set in data/gen1/ (docs/events.md). (The
# authors' own Gen1 data: 3-channel frames per bin, grey with positive
# events white and negative black, resized to 320x320.)
_base_ = [
    '../_base_/models/spikeyolo_s-events.py',
    '../_base_/datasets/gen1_2bins.py',
    '../_base_/schedules/schedule_sgd-nesterov-linear-300e.py',
    '../_base_/default_runtime_gen1.py'
]

model = dict(time_steps={{_base_.time_steps}})  # one time bin a step

train_dataloader = dict(batch_size=40, num_workers=8, batch_sampler=None)

max_epochs = 100
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001,
         update_buffers=True, priority=49),
    dict(type='FiringRateHook')
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
