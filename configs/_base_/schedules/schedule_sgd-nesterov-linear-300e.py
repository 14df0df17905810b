# ultralytics YOLOv8's optimiser as SpikeYOLO trains with it (their
# logs_23M/args.yaml): the SGD of schedule_sgd-nesterov-cosine-150e.py
# (ultralytics' for YOLOv5) with gradient norms clipped at 10 and the
# weight decay scaled from ultralytics' nominal batch 64 to their batch 40
# (5e-4 x 40 x 2 / 64); 10 warm-up epochs, then a linear decay to 0.004 x
# lr that the runner ends at train_cfg's max_epochs: 300.
_base_ = './schedule_sgd-nesterov-cosine-150e.py'

max_epochs = 300
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(weight_decay=6.25e-4), clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=10, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1., end_factor=0.004, by_epoch=True,
         begin=0, convert_to_iter_based=True)
]
# Their one process of 40 images.
auto_scale_lr = dict(enable=False, base_batch_size=40)
