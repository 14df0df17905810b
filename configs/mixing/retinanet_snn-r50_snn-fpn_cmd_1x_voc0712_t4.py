# A fully spiking RetinaNet: spiking ResNet-50, spiking FPN and a spiking
# head that decodes by Current Mean Decoding, on PASCAL VOC07+12 -> VOC07
# test (data, schedule and metric of the mixing config it inherits).
#
# Spiking: the backbone (SpikingResNet), the FPN (IF neurons as act_cfg)
#   and the head's cls/reg towers (CMDRetinaHead: IF neurons instead of
#   ReLU); the FPN's output stays time-folded ([T*B, C, h, w]).
# Decoding: retina_cls / retina_reg do not spike; their output is the mean
#   over T of their synaptic current (paper Eq. 6, the bias once). Anchors,
#   losses and NMS are mmdet's, on the decoded maps.
# SpikingRetinaNet owns T: `--cfg-options model.time_steps=6`.
_base_ = './retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py'

model = dict(
    neck=dict(decode_mode=None),  # the head takes spikes
    bbox_head=dict(type='CMDRetinaHead', decode_mode='mean'))
