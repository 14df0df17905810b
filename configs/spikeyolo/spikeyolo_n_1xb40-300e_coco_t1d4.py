# SpikeYOLO-n on COCO (the authors' 13.2M scale), as the s model otherwise.
_base_ = './spikeyolo_s_1xb40-300e_coco_t1d4.py'

deepen_factor, widen_factor, max_channels = 0.33, 0.375, 1024
channels = [96, 192, 384]
model = dict(
    backbone=dict(deepen_factor=deepen_factor, widen_factor=widen_factor,
                  max_channels=max_channels),
    neck=dict(in_channels=channels, widen_factor=widen_factor,
              max_channels=max_channels),
    bbox_head=dict(in_channels=channels))
