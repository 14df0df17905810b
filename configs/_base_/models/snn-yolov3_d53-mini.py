# SNN-YOLOv3 scaled down for the bundled mini data sets and a CPU: Darknet
# 1/8 as wide with (1, 1, 2, 2, 1) residual blocks per stage instead of
# Darknet-53's (1, 2, 8, 8, 4), and mini-VOC's 4 classes with anchors for
# its objects (10-80 px at 160 px). Every neuron slot (`neuron_cfg`) keeps
# the default IF neuron unless a config sets another (an ANN twin's
# LeakyReLU).
_base_ = './snn-yolov3_d53.py'

# Channels of Darknet stages 3-5 (128, 256, 512, 1024) x widen_factor.
widen_factor = 0.125
c3, c4, c5, c6 = 16, 32, 64, 128
model = dict(
    backbone=dict(widen_factor=widen_factor, stage_blocks=(1, 1, 2, 2, 1)),
    neck=dict(in_channels=[c6, c5, c4], out_channels=[c5, c4, c3]),
    bbox_head=dict(
        num_classes=4,
        in_channels=[c5, c4, c3],
        out_channels=[c6, c5, c4],
        anchor_generator=dict(base_sizes=[[(48, 48), (64, 64), (80, 80)],
                                          [(24, 24), (30, 30), (38, 38)],
                                          [(10, 10), (14, 14), (19, 19)]])))
