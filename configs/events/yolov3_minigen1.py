# The ANN twin of snn_yolov3_minigen1_t4.py: the same layers, data, frames
# and schedule, with mmdet YOLOv3's LeakyReLU(0.1) in place of every IF
# neuron and T=1. It sees the same T=4 histograms, stacked as 4 x 2 = 8
# input channels (EventDetDataPreprocessor(fold='channels')), since an ANN
# has no time steps to give them.
_base_ = './snn_yolov3_minigen1_t4.py'

leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(
    time_steps=1,
    data_preprocessor=dict(fold='channels'),
    backbone=dict(
        neuron_cfg=leaky_relu,
        in_channels=2 * 4,  # polarities x the base's time_steps (4) bins
        encoding='direct'),
    neck=dict(neuron_cfg=leaky_relu),
    bbox_head=dict(neuron_cfg=leaky_relu))
custom_hooks = []  # no neurons, no firing rates
