# SpikeYOLO-m on COCO (the authors' 48M scale: max_channels 7024 as their
# yaml says, and the neck's last block with MLP ratio 2, as its comment
# says), as the s model otherwise.
_base_ = './spikeyolo_s_1xb40-640-300e_coco_t1d4.py'

# deepen 0.5, widen 0.625: P3-P5 channels 160, 320, 640
model = dict(
    backbone=dict(deepen_factor=0.5, widen_factor=0.625, max_channels=7024),
    neck=dict(in_channels=[160, 320, 640], widen_factor=0.625,
              max_channels=7024, last_mlp_ratio=2),
    bbox_head=dict(in_channels=[160, 320, 640]))
