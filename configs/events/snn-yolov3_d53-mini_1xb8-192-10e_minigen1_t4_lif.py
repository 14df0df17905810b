# snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py with leaky
# integrate-and-fire neurons (LIFNeuron with its defaults, tau 2) in place of
# IF neurons: a leak forgets old bins, which suits event data whose recent
# past matters most.
_base_ = './snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'

lif = dict(type='LIFNeuron')
model = dict(
    backbone=dict(neuron_cfg=lif),
    neck=dict(neuron_cfg=lif),
    bbox_head=dict(neuron_cfg=lif))
