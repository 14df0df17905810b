# SpikeYOLO-s (Luo et al., ECCV 2024; BICLab/SpikeYOLO) for COCO's 80
# classes: the authors' 23.1M model (their snn_yolov8.yaml at scale s),
# I-LIF neurons with integer spikes up to D = 4 (their released models'),
# YOLOv8's head, loss and assignment (SpikeYOLOHead). T is set by the
# config that uses it (`model.time_steps`; 1 on images, 2 on Gen1).
# Spike-driven inference (D binary steps per time step, same outputs):
# model.reparameterize(); model.spike_driven = True (docs/energy.md).

# The scale: snn_yolov8.yaml's (deepen, widen, max_channels); P3-P5
# channels int(256w), int(512w), ceil(1024w / 8) * 8.
deepen_factor, widen_factor, max_channels = 0.33, 0.5, 1024
channels = [128, 256, 512]
model = dict(
    type='SpikeYOLO',
    max_spike_count=4,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_value=114),
    backbone=dict(
        type='SpikeYOLOBackbone',
        deepen_factor=deepen_factor,
        widen_factor=widen_factor,
        max_channels=max_channels),
    neck=dict(
        type='SpikeYOLONeck',
        in_channels=channels,
        widen_factor=widen_factor,
        max_channels=max_channels,
        last_mlp_ratio=1),
    bbox_head=dict(type='SpikeYOLOHead', num_classes=80, in_channels=channels),
    # YOLOv8's assignment and post-processing (the head's defaults).
    train_cfg=dict(
        assigner=dict(type='YOLOv8TaskAlignedAssigner', topk=10),
        alpha=0.5,
        beta=6.0),
    test_cfg=dict(
        nms_pre=30000,
        score_thr=0.001,
        nms=dict(type='nms', iou_threshold=0.7),
        max_per_img=300))
