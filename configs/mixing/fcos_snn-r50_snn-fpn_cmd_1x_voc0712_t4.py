# A fully spiking FCOS: spiking ResNet-50, spiking FPN and a spiking head
# that decodes by Current Mean Decoding, on PASCAL VOC07+12 -> VOC07 test
# (data, schedule and metric of the mixing config it inherits).
#
# Spiking: the backbone, the FPN and the head's cls/reg towers
#   (CMDFCOSHead: IF neurons after each GroupNorm instead of ReLU).
# Decoding: conv_cls, conv_reg and conv_centerness do not spike; their
#   output is the mean over T of their synaptic current (paper Eq. 6); the
#   box branch's Scale and exp then act on the decoded current, once.
# SpikingFCOS owns T: `--cfg-options model.time_steps=6`.
_base_ = './fcos_snn-r50_snn-fpn_1x_voc0712_t4.py'

model = dict(
    neck=dict(decode_mode=None),  # the head takes spikes
    bbox_head=dict(type='CMDFCOSHead', decode_mode='mean'))
