# The paper's optimiser: SGD with momentum 0.9 and cosine annealing, here
# 100 epochs after a linear warm-up, validated every 5 epochs; mmdet
# YOLOv3's lr and gradient clipping for 8 GPUs x 8 images.
max_epochs = 100
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=0,
        end=max_epochs,
        T_max=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
# base_batch_size = (8 GPUs) x (8 images per GPU): --auto-scale-lr scales
# the lr to another total batch.
auto_scale_lr = dict(enable=False, base_batch_size=64)
