# SNN-YOLOv3 at T=4 on mini-VOC with leaky integrate-and-fire neurons
# (LIFNeuron, as EMS-YOLO uses) in place of IF: everything else, the ANN-twin
# initialisation and the schedule included, is snn_yolov3_minivoc_t4.py's,
# so the two runs compare the neurons.
#
# tau=2 leaks half the potential a step; decay_input=False adds the input
# current undecayed (h = V - (V - V_reset)/tau + I), so the ANN twin's
# weights drive the neurons at the scale they drive IF neurons (with
# decay_input=True every current would first be halved).
# Starts from the published ANN twin (the IF config's load_from):
#   python tools/train.py configs/mini_voc/snn_yolov3_lif_minivoc_t4.py
_base_ = './snn_yolov3_minivoc_t4.py'

neuron_cfg = dict(type='LIFNeuron', tau=2.0, decay_input=False)
model = dict(
    backbone=dict(neuron_cfg=neuron_cfg),
    neck=dict(neuron_cfg=neuron_cfg),
    bbox_head=dict(neuron_cfg=neuron_cfg))
