# The ANN twin of snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py: the same
# layers, data, frames and schedule, with mmdet YOLOv3's LeakyReLU(0.1) in
# every neuron slot and T=1. It sees the same 4 time bins stacked as
# 4 x 2 = 8 input channels (EventDetDataPreprocessor(fold='channels')),
# since an ANN has no time steps to give them.
_base_ = [
    '../_base_/models/snn-yolov3_d53-mini-events.py',
    '../_base_/datasets/mini_gen1.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime_gen1.py'
]

leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(
    time_steps=1,
    data_preprocessor=dict(fold='channels'),
    backbone=dict(
        neuron_cfg=leaky_relu,
        in_channels=2 * 4,  # polarities x the data's 4 time bins
        encoding='direct'),
    neck=dict(neuron_cfg=leaky_relu),
    bbox_head=dict(neuron_cfg=leaky_relu))

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
