# SpikeYOLO (the 1/8-width SpikeYOLO-s for events of
# ../_base_/models/spikeyolo_s-mini-events.py) on mini-Gen1, the bundled
# synthetic event-camera data set, at the authors' Gen1 setting T = 2,
# D = 4, with the data, representation (in 2 bins) and protocol of the mini
# SNN-YOLOv3 (../events/), for the comparison of docs/model_zoo.md:
#
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py \
#       configs/spikeyolo/spikeyolo_s-mini_1xb8-192-3e_minigen1_t2d4.py
_base_ = [
    '../_base_/models/spikeyolo_s-mini-events.py',
    '../_base_/datasets/mini_gen1_2bins.py',
    '../_base_/schedules/schedule_adamw-cosine-clip.py',
    '../_base_/default_runtime_gen1.py'
]

model = dict(time_steps={{_base_.time_steps}})  # one time bin a step

# One batch of 8 after another, as the authors' loader.
train_dataloader = dict(batch_sampler=None)

# The comparison's budget: the main job SNN's 4 epochs of mini-VOC (about
# 10 minutes on a 2-core CPU); a step here costs almost 4 times one of that
# SNN's, and a mini-Gen1 epoch has a third of the steps.
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
custom_hooks = [dict(type='FiringRateHook')]
