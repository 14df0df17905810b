# SNN-YOLOv3 at T=4 on mini-VOC: the model the main job
# (tools/run_main_job.sh) trains on a 2-core CPU.
#
# Initialised from its published ANN twin (yolov3_d53-mini_1xb8-160-24e_
# minivoc.py trained for seed 0: same module names and shapes), as the
# authors initialise SNN-YOLOv3 from an ANN YOLOv3: from scratch, the
# spiking model at this width converges far more slowly than a CPU budget
# of minutes allows. Four epochs keep the main job inside 15 minutes on a
# slow 2-core machine (docs/reproducibility.md).
_base_ = [
    '../_base_/models/snn-yolov3_d53-mini.py',
    '../_base_/datasets/mini_voc.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=4)

load_from = 'checkpoints/mini_voc/yolov3_minivoc_seed0-c9036a7c.pth'
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best='auto'))
# Log each stage's firing rate with the test (and val) metrics.
custom_hooks = [dict(type='FiringRateHook')]
