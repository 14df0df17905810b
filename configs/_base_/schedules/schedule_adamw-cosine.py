# The mini configs' optimiser: AdamW with a linear warm-up and a cosine
# decay that the runner ends at train_cfg's max_epochs (set by each config,
# with its val_interval). lr 1e-2 is high for a fine-tuning: IF neurons
# respond to an ANN twin's weights quite unlike LeakyReLU, so the weights
# move far.
train_cfg = dict(type='EpochBasedTrainLoop')
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.05),
    clip_grad=None,
    # 10 x the weight decay on trainable thresholds (the paper's "upper
    # bound parameter theta"; IFNeuron(learnable_threshold=True)).
    paramwise_cfg=dict(custom_keys=dict(v_threshold=dict(decay_mult=10.))))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
# Kept from mmdet's YOLOv3 (8 GPUs x 8 images); the lr was chosen for one
# process of 8 images, so --auto-scale-lr would divide it by 8.
auto_scale_lr = dict(enable=False, base_batch_size=64)
# One seed for sampling order, augmentation and initialisation: the mini
# data sets' published numbers are per seed.
randomness = dict(seed=0)
