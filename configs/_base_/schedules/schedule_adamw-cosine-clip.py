# schedule_adamw-cosine.py for models trained from scratch whose gradients
# spike early (SpikeYOLO's mini configs): a lower lr reached over a longer
# warm-up, gradient norms clipped at 10 as SpikeYOLO's authors clip them,
# and no weight decay on norms and biases (ultralytics').
_base_ = './schedule_adamw-cosine.py'

optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(_delete_=True, norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=dict(_delete_=True, max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=200),
    dict(
        type='CosineAnnealingLR',
        eta_min=2e-5,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
