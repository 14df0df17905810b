# ultralytics YOLOv5's optimiser as EMS-YOLO trains with it
# (data/hyps/hyp.scratch.yaml, runs/train/opt.yaml): SGD with Nesterov
# momentum 0.937, lr 0.01, weight decay 5e-4 (not on norms and biases), 3
# warm-up epochs, then a cosine to 0.1 x lr that the runner ends at
# train_cfg's max_epochs: 150, validated every 10.
max_epochs = 150
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.937, weight_decay=5e-4,
        nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.001,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min_ratio=0.1,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
# 8 GPUs x 8 images: --auto-scale-lr scales the lr to another total batch.
auto_scale_lr = dict(base_batch_size=64)
