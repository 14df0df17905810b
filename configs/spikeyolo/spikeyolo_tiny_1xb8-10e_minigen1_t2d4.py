# SpikeYOLO on mini-Gen1, the bundled synthetic event-camera data set
# (tools/misc/make_mini_gen1.py; Gen1's file format, car and pedestrian,
# 304x240 sensor), at the authors' Gen1 setting T = 2, D = 4, sized for a
# 2-core CPU (the tiny model of spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py):
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py \
#       configs/spikeyolo/spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py
#
# mmsnn's Gen1 protocol (as ../events/snn_yolov3_minigen1_t4.py): the 50 ms
# of events before each label cut into T bins, each a 2-channel (OFF, ON)
# count histogram at 192x152; time step t sees bin t (encoding='sequence').
# Gen1Metric reports COCO mAP@0.5:0.95 (gen1/mAP) and mAP@0.5
# (gen1/mAP_50): SpikeYOLO's 67.2 is mAP@0.5, most Gen1 papers report
# mAP@0.5:0.95. (The authors' own Gen1 data: 3-channel frames per bin, grey
# with positive events white and negative black, resized to 320x320.)
# Numbers from this config are synthetic mini-Gen1 numbers, never Gen1
# results.
_base_ = './spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py'

time_steps = 2  # = the number of time bins of the representation
window_us = 50_000  # events before each label
model = dict(
    time_steps=time_steps,
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        pad_size_divisor=32),
    backbone=dict(in_channels=2, encoding='sequence'),
    bbox_head=dict(num_classes=2))

metainfo = None  # Gen1Dataset's own: car, pedestrian
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

# The mini-Gen1 SNN-YOLOv3's 10 epochs; check the first run's time
# against the comparison table's budget and scale max_epochs to it.
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, save_best='gen1/mAP',
                    rule='greater'),
    visualization=dict(type='EventVisualizationHook'))
