# SNN-YOLOv3 at T=4 on Prophesee Gen1 event-camera recordings: the small
# CPU model of the mini data sets (IF neurons, Current Mean Decoding), each
# time step fed its own time bin, trained from scratch for 10 epochs. For
# published-scale numbers widen it and train far longer (the literature
# trains Gen1 detectors for ~10^5-10^6 iterations on GPUs).
_base_ = [
    '../_base_/models/snn-yolov3_d53-mini-events.py',
    '../_base_/datasets/gen1.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime_gen1.py'
]

# The model's T is the data's number of time bins: one variable.
model = dict(time_steps={{_base_.time_steps}})

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
# Log each stage's firing rate with the test (and val) metrics.
custom_hooks = [dict(type='FiringRateHook')]
