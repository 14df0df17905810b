# snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py with leaky integrate-and-fire
# neurons (LIFNeuron, as EMS-YOLO uses) in place of IF; everything else, the
# ANN-twin initialisation and the schedule included, is the same, so the
# two runs compare the neurons.
#
# tau=2 leaks half the potential a step; decay_input=False adds the input
# current undecayed (h = V - (V - V_reset)/tau + I), so the ANN twin's
# weights drive the neurons at the scale they drive IF neurons.
_base_ = './snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'

neuron_cfg = dict(type='LIFNeuron', tau=2.0, decay_input=False)
model = dict(
    backbone=dict(neuron_cfg=neuron_cfg),
    neck=dict(neuron_cfg=neuron_cfg),
    bbox_head=dict(neuron_cfg=neuron_cfg))
