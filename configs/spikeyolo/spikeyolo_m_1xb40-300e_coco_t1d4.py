# SpikeYOLO-m on COCO (the authors' 48M scale: max_channels 7024 as their
# yaml says, and the neck's last block with MLP ratio 2, as its comment
# says), as the s model otherwise.
_base_ = './spikeyolo_s_1xb40-300e_coco_t1d4.py'

deepen_factor, widen_factor, max_channels = 0.5, 0.625, 7024
channels = [160, 320, 640]
model = dict(
    backbone=dict(deepen_factor=deepen_factor, widen_factor=widen_factor,
                  max_channels=max_channels),
    neck=dict(in_channels=channels, widen_factor=widen_factor,
              max_channels=max_channels, last_mlp_ratio=2),
    bbox_head=dict(in_channels=channels))
