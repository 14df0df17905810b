# SpikeYOLO (the 1/8-width SpikeYOLO-s of
# ../_base_/models/spikeyolo_s-mini.py: I-LIF, T = 1, D = 4, YOLOv8's head
# and loss) on mini-VOC, the bundled synthetic data set, with the data,
# pipeline, batch and protocol of the mini SNN-YOLOv3 (../mini_voc/), for
# the comparison of docs/model_zoo.md:
#
#   python tools/train.py \
#       configs/spikeyolo/spikeyolo_s-mini_1xb8-160-2e_minivoc_t1d4.py
#
# From scratch, with the mini configs' AdamW and cosine, clipped.
_base_ = [
    '../_base_/models/spikeyolo_s-mini.py',
    '../_base_/datasets/mini_voc.py',
    '../_base_/schedules/schedule_adamw-cosine-clip.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=1)

# One batch of 8 after another, as the authors' loader.
train_dataloader = dict(batch_sampler=None)

# The comparison's budget: the main job SNN's 4 epochs (about 10 minutes on
# a 2-core CPU); a step here costs about twice one of that SNN's.
max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None))
# Log each stage's firing rate with the test (and val) metrics.
custom_hooks = [dict(type='FiringRateHook')]
