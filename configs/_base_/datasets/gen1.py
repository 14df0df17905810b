# Prophesee Gen1 Automotive (classes car and pedestrian, 304x240 sensor):
# one sample per labelled timestamp, the 50 ms of events before it cut into
# T=4 bins of 12.5 ms, each drawn as a 2-channel (OFF, ON) count histogram
# at 192x152 (padded to 192x160). Time step t of an SNN sees bin t, so a
# model's T must equal `time_steps` here (the backbone stops with an error
# naming both otherwise). Gen1Metric is the published protocol: COCO
# mAP@0.5:0.95 and mAP@0.5 over boxes with diagonal >= 30 px and sides >=
# 10 px, none in the first 0.1 s.
#
# Put (or link) the unpacked data set at data_root:
#   data/gen1/{train,val,test}/NAME_td.dat   events (Gen1 .dat)
#   data/gen1/{train,val,test}/NAME_bbox.npy boxes (either dtype version)
# The first run indexes every recording's labels and caches the index in
# each split folder (.mmsnn_gen1_index.json). See docs/events.md.
dataset_type = 'Gen1Dataset'
data_root = 'data/gen1/'
backend_args = None
metainfo = None  # Gen1Dataset's own: car, pedestrian
time_steps = 4  # time bins of the representation: the SNN's T
window_us = 50_000  # events before each label
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
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        **gen1_split,
        data_prefix=dict(events='train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
test_loader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
val_dataloader = dict(
    **test_loader,
    dataset=dict(
        **gen1_split,
        data_prefix=dict(events='val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    **test_loader,
    dataset=dict(
        **gen1_split,
        data_prefix=dict(events='test/'),
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = dict(type='Gen1Metric')
test_evaluator = val_evaluator
