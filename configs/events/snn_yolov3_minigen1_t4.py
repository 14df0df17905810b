# SNN-YOLOv3 at T=4 on mini-Gen1, the bundled synthetic event-camera data
# set (tools/misc/make_mini_gen1.py; Gen1's file format, classes car and
# pedestrian, 304x240 sensor). Trains on a 2-core CPU in minutes:
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py configs/events/snn_yolov3_minigen1_t4.py
#
# Time carries information here: the 50 ms of events before each label are
# cut into T=4 bins of 12.5 ms, each drawn as a 2-channel (OFF, ON) count
# histogram, and time step t of the SNN sees bin t (encoding='sequence'; the
# data preprocessor hands the model [T*B, 2, H, W], time-major). The model's
# T and the data's bins are one variable, `time_steps`; if they differ the
# backbone stops with an error naming both.
#
# The model and schedule of the mini-VOC SNN (../mini_voc/snn_yolov3_minivoc_t4
# .py: IF neurons, Current Mean Decoding, 1/8 width, (1, 1, 2, 2, 1) residual
# blocks, AdamW lr 1e-2, cosine), with a 2-channel input, on events scaled to
# 192x152 (padded to 192x160), trained from scratch for 10 epochs.
#
# Protocol: Gen1's (Gen1Metric: COCO mAP@0.5:0.95 and mAP@0.5 over the
# labelled timestamps, boxes with diagonal >= 30 px and sides >= 10 px, none
# in the first 0.1 s). Numbers from this config are synthetic mini-Gen1
# numbers, never Gen1 results. For real Gen1 see snn_yolov3_gen1_t4.py
# (only data_root changes) and docs/events.md.
_base_ = '../mini_voc/snn_yolov3_minivoc_t4.py'

time_steps = 4  # = the number of time bins of the representation
window_us = 50_000  # events before each label
model = dict(
    time_steps=time_steps,
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        pad_size_divisor=32),
    backbone=dict(in_channels=2, encoding='sequence'),
    bbox_head=dict(
        num_classes=2,
        # (w, h) at 192x152: wide cars, tall pedestrians.
        anchor_generator=dict(base_sizes=[[(90, 50), (60, 80), (120, 70)],
                                          [(50, 28), (24, 56), (70, 40)],
                                          [(24, 14), (12, 30), (34, 20)]])))

metainfo = None  # Gen1Dataset's own: car, pedestrian
# Gen1Dataset that says how to generate the data when it is missing.
dataset_type = 'MiniGen1Dataset'
data_root = 'data/mini_gen1/'
img_scale = (192, 152)
train_pipeline = [
    dict(type='LoadPropheseeEvents'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='ResizeEvents', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlipEvents', prob=0.5),
    dict(type='EventsToHistogram', num_bins=time_steps),
    dict(type='PackEventDetInputs')
]
# Annotations after the resize: the metric compares them with detections
# mapped back to sensor pixels.
test_pipeline = [
    dict(type='LoadPropheseeEvents'),
    dict(type='ResizeEvents', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='EventsToHistogram', num_bins=time_steps),
    dict(type='PackEventDetInputs')
]
gen1_split = dict(type=dataset_type, data_root=data_root,
                  window_us=window_us)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        **gen1_split,
        data_prefix=dict(events='train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        **gen1_split,
        data_prefix=dict(events='val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        **gen1_split,
        data_prefix=dict(events='test/'),
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = dict(_delete_=True, type='Gen1Metric')
test_evaluator = val_evaluator

load_from = None
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, save_best='gen1/mAP',
                    rule='greater'),
    # tools/test.py --show-dir: event frames (bins summed, ON red, OFF
    # blue) with ground truth and detections, one PNG per test sample.
    visualization=dict(type='EventVisualizationHook'))
