# The events model of spikeyolo_s-events.py at the width of
# spikeyolo_s-mini.py, for mini-Gen1 on a CPU.
_base_ = './spikeyolo_s-events.py'

model = dict(
    backbone=dict(widen_factor=0.125),
    neck=dict(in_channels=[32, 64, 128], widen_factor=0.125),
    bbox_head=dict(in_channels=[32, 64, 128]))
