# SpikeYOLO-s (spikeyolo_s.py) for Gen1-format events: 2-channel (OFF, ON)
# histograms, one time bin per step (encoding='sequence'; the data
# preprocessor hands the model [T*B, 2, H, W], time-major), Gen1's 2
# classes.
_base_ = './spikeyolo_s.py'

model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        pad_size_divisor=32),
    backbone=dict(in_channels=2, encoding='sequence'),
    bbox_head=dict(num_classes=2))
