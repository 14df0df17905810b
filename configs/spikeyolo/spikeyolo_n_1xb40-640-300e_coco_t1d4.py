# SpikeYOLO-n on COCO (the authors' 13.2M scale), as the s model otherwise.
_base_ = './spikeyolo_s_1xb40-640-300e_coco_t1d4.py'

# deepen 0.33, widen 0.375: P3-P5 channels 96, 192, 384
model = dict(
    backbone=dict(deepen_factor=0.33, widen_factor=0.375),
    neck=dict(in_channels=[96, 192, 384], widen_factor=0.375),
    bbox_head=dict(in_channels=[96, 192, 384]))
