# The ANN twin of snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py: the same
# layers, data and pipeline, with mmdet YOLOv3's LeakyReLU(0.1) in every
# neuron slot and T=1 (the encoder's repeat and the head's decoding become
# identities), so it is a plain narrow YOLOv3 whose weights' names and
# shapes are the SNN's. Trained once from scratch and published: the SNN
# config's load_from.
_base_ = [
    '../_base_/models/snn-yolov3_d53-mini.py',
    '../_base_/datasets/mini_voc.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime.py'
]

leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(
    time_steps=1,
    backbone=dict(neuron_cfg=leaky_relu),
    neck=dict(neuron_cfg=leaky_relu),
    bbox_head=dict(neuron_cfg=leaky_relu))

# One loader worker (seeded afresh each epoch), as the published twin was
# trained: its augmentation draws, so that MMSNN_TWIN=train trains that twin.
train_dataloader = dict(num_workers=1)
# 24 epochs at a lower lr than the SNN's: the twin is trained once, so its
# length costs the main job nothing, and the SNN follows its quality.
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=3e-3))
default_hooks = dict(
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best='auto'))
