# The small SNN-YOLOv3 of snn-yolov3_d53-mini.py for Gen1-format events:
# 2-channel (OFF, ON) histograms, one time bin per step (encoding=
# 'sequence'; the data preprocessor hands the model [T*B, 2, H, W],
# time-major), 2 classes with anchors (w, h) at 192x152: wide cars, tall
# pedestrians.
_base_ = './snn-yolov3_d53-mini.py'

model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        pad_size_divisor=32),
    backbone=dict(in_channels=2, encoding='sequence'),
    bbox_head=dict(
        num_classes=2,
        anchor_generator=dict(base_sizes=[[(90, 50), (60, 80), (120, 70)],
                                          [(50, 28), (24, 56), (70, 40)],
                                          [(24, 14), (12, 30), (34, 20)]])))
