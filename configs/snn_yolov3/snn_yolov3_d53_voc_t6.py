# SNN-YOLOv3 (the paper's model) at T=6 on PASCAL VOC07+12 -> VOC07 test.
#
# The ANN baseline's data, pipeline and schedule (yolov3_d53_voc.py) with:
# IF neurons (reset by subtraction, Vth 1, ATan alpha 2) in place of every
# LeakyReLU, direct encoding by the first conv set, and Current Mean Decoding
# in the prediction convs. Test a T=6 model at T=4 with
# `--cfg-options model.time_steps=4`.
_base_ = './yolov3_d53_voc.py'

model = dict(
    type='SNNYOLOV3',
    time_steps=6,
    backbone=dict(type='SpikingDarknet'),
    neck=dict(type='SpikingYOLOV3Neck'),
    bbox_head=dict(type='CMDYOLOV3Head', decode_mode='mean'))

# The authors fine-tune from an ANN: point this at an mmdet YOLOv3 checkpoint
# (e.g. one trained with yolov3_d53_voc.py); its keys load strictly.
load_from = None

# Weight decay 5e-3 on the "upper bound parameter theta" (a trainable
# threshold: set neuron_cfg=dict(type='IFNeuron', learnable_threshold=True)
# in backbone, neck and head): 10 x the base 5e-4.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(v_threshold=dict(decay_mult=10.))))
