# The ANN twin of snn_yolov3_minivoc_t4.py: the same layers, data and
# pipeline, with mmdet YOLOv3's LeakyReLU(0.1) in place of every IF neuron
# and T=1 (the encoder's repeat and the head's decoding become identities),
# so it is a plain narrow YOLOv3. Its weights' names and shapes are the
# SNN's: the SNN config starts from this config's final checkpoint.
#
# Trained from scratch, longer and with a lower lr than the SNN's
# fine-tuning (the same warm-up and cosine decay). 24 epochs, not 12: the
# twin is trained once and published (the SNN config's load_from), so its
# length costs the main job nothing, and the SNN fine-tuned from it follows
# its quality (configs/mini_voc/README.md: 12 epochs 0.798 -> SNN 0.578,
# 24 epochs 0.865 -> SNN 0.666 after 6 SNN epochs, seed 0).
_base_ = './snn_yolov3_minivoc_t4.py'

leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(
    time_steps=1,
    backbone=dict(neuron_cfg=leaky_relu),
    neck=dict(neuron_cfg=leaky_relu),
    bbox_head=dict(neuron_cfg=leaky_relu))

# The published twin was trained with one loader worker (seeded afresh
# each epoch), before the SNN config loaded in the main process: its
# augmentation draws, kept so that MMSNN_TWIN=train trains that twin.
train_dataloader = dict(num_workers=1)
load_from = None
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=3e-3))
default_hooks = dict(checkpoint=dict(interval=max_epochs))
custom_hooks = []  # no neurons, no firing rates
