# SpikeYOLO-l on COCO (the authors' 69M model, the paper's 66.2 mAP@0.5 /
# 48.9 mAP@0.5:0.95: the neck's last block with MLP ratio 2), as the s model
# otherwise.
_base_ = './spikeyolo_s_1xb40-300e_coco_t1d4.py'

deepen_factor, widen_factor, max_channels = 0.5, 0.75, 1024
channels = [192, 384, 768]
model = dict(
    backbone=dict(deepen_factor=deepen_factor, widen_factor=widen_factor,
                  max_channels=max_channels),
    neck=dict(in_channels=channels, widen_factor=widen_factor,
              max_channels=max_channels, last_mlp_ratio=2),
    bbox_head=dict(in_channels=channels))
