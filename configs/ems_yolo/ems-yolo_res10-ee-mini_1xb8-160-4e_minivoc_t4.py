# EMS-YOLO (the quarter-width EMS-Res10 of
# ../_base_/models/ems-yolo_res10-ee-mini.py) at T=4 on mini-VOC, the
# bundled synthetic data set, with the data, pipeline, batch and protocol of
# the mini SNN-YOLOv3 (../mini_voc/), for the comparison of
# docs/model_zoo.md:
#
#   python tools/train.py \
#       configs/ems_yolo/ems-yolo_res10-ee-mini_1xb8-160-4e_minivoc_t4.py
#
# EMS-YOLO trains from scratch (it has no ANN twin), here with the mini
# configs' AdamW and cosine at a lower lr.
_base_ = [
    '../_base_/models/ems-yolo_res10-ee-mini.py',
    '../_base_/datasets/mini_voc.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=4)

# The comparison's budget: the main job SNN's 4 epochs (about 10 minutes on
# a 2-core CPU); a step here costs about as much as one of that SNN's.
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# ultralytics' optimiser keeps weight decay off norms and biases.
optim_wrapper = dict(
    optimizer=dict(lr=3e-3),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
default_hooks = dict(
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best='auto'))
# Log each stage's firing rate with the test (and val) metrics.
custom_hooks = [dict(type='FiringRateHook')]
