# SNN-YOLOv3 (the paper's model) at T=6 on PASCAL VOC07+12 -> VOC07 test,
# with the ANN baseline's data, pipeline and schedule
# (yolov3_d53_8xb8-416-100e_voc0712.py). Test a T=6 model at T=4 with
# `--cfg-options model.time_steps=4`.
_base_ = [
    '../_base_/models/snn-yolov3_d53.py', '../_base_/datasets/voc0712.py',
    '../_base_/schedules/schedule_sgd-cosine-100e.py',
    '../_base_/default_runtime.py'
]

model = dict(time_steps=6, bbox_head=dict(num_classes=20))

# The authors fine-tune from an ANN: point this at an mmdet YOLOv3 checkpoint
# (e.g. one trained with yolov3_d53_8xb8-416-100e_voc0712.py); its keys load
# strictly.
load_from = None

# Weight decay 5e-3 on the "upper bound parameter theta" (a trainable
# threshold: set neuron_cfg=dict(type='IFNeuron', learnable_threshold=True)
# in backbone, neck and head): 10 x the base 5e-4.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(v_threshold=dict(decay_mult=10.))))
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
