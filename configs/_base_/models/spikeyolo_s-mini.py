# SpikeYOLO-s (spikeyolo_s.py) sized for the bundled mini data sets and a
# CPU: the s scale's depth at 1/8 width (P3-P5 channels 32, 64, 128; the
# mini SNN-YOLOv3's stages are 16-128 wide), with mini-VOC's 4 classes.
_base_ = './spikeyolo_s.py'

model = dict(
    backbone=dict(widen_factor=0.125),
    neck=dict(in_channels=[32, 64, 128], widen_factor=0.125),
    bbox_head=dict(num_classes=4, in_channels=[32, 64, 128]))
