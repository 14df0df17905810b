# SpikeYOLO-l on COCO (the authors' 69M model, the paper's 66.2 mAP@0.5 /
# 48.9 mAP@0.5:0.95: the neck's last block with MLP ratio 2), as the s model
# otherwise.
_base_ = './spikeyolo_s_1xb40-640-300e_coco_t1d4.py'

# deepen 0.5, widen 0.75: P3-P5 channels 192, 384, 768
model = dict(
    backbone=dict(deepen_factor=0.5, widen_factor=0.75),
    neck=dict(in_channels=[192, 384, 768], widen_factor=0.75,
              last_mlp_ratio=2),
    bbox_head=dict(in_channels=[192, 384, 768]))
