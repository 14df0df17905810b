# Ablation of snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py: the same SNN
# trained from scratch (no ANN initialisation) for about the main job's
# whole training time (its ANN twin plus its SNN), with the batch size that
# served best from scratch.
_base_ = './snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'

load_from = None
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
train_dataloader = dict(batch_size=4)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
