# SNN-YOLOv3 (the paper's model): YOLOv3 with IF neurons (reset by
# subtraction, Vth 1, ATan alpha 2) in place of every LeakyReLU, direct
# encoding by the first conv set, and Current Mean Decoding in the
# prediction convs. Module names are mmdet's, so an mmdet YOLOv3 checkpoint
# loads strictly (`load_from`), as the authors initialise it from an ANN.
# T is set by the config that uses it (`model.time_steps`).
_base_ = './yolov3_d53.py'

model = dict(
    type='SNNYOLOV3',
    backbone=dict(type='SpikingDarknet'),
    neck=dict(type='SpikingYOLOV3Neck'),
    bbox_head=dict(type='CMDYOLOV3Head', decode_mode='mean'))
