# The ANN twin of snn_yolov3_minivoc_t4.py: the same layers, data, pipeline
# and schedule, with mmdet YOLOv3's LeakyReLU(0.1) in place of every IF
# neuron and T=1 (the encoder's repeat and the head's decoding become
# identities), so it is a plain narrow YOLOv3. Its weights' names and shapes
# are the SNN's.
_base_ = './snn_yolov3_minivoc_t4.py'

leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(
    time_steps=1,
    backbone=dict(neuron_cfg=leaky_relu),
    neck=dict(neuron_cfg=leaky_relu),
    bbox_head=dict(neuron_cfg=leaky_relu))
custom_hooks = []  # no neurons, no firing rates
