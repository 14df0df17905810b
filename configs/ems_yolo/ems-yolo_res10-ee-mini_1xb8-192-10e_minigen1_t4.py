# EMS-YOLO (the quarter-width EMS-Res10 of
# ../_base_/models/ems-yolo_res10-ee-mini.py) at T=4 on mini-Gen1, the
# bundled synthetic event-camera data set, with the representation,
# protocol and schedule of the mini SNN-YOLOv3
# (../events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py), for the
# comparison of docs/model_zoo.md:
#
#   python tools/misc/make_mini_gen1.py --out data/mini_gen1
#   python tools/train.py \
#       configs/ems_yolo/ems-yolo_res10-ee-mini_1xb8-192-10e_minigen1_t4.py
#
# EMS-YOLO's own Gen1 representation (grey frames painted by polarity, 5
# bins over 250 ms) is in ems-yolo_res10-ee_8xb1-320-250e_gen1_t5.py.
_base_ = [
    '../_base_/models/ems-yolo_res10-ee-mini.py',
    '../_base_/datasets/mini_gen1.py',
    '../_base_/schedules/schedule_adamw-cosine.py',
    '../_base_/default_runtime_gen1.py'
]

num_classes = 2
img_size = 192
num_levels = 2
model = dict(
    time_steps={{_base_.time_steps}},  # one time bin a step
    data_preprocessor=dict(
        _delete_=True,
        type='EventDetDataPreprocessor',
        fold='time',
        pad_size_divisor=32),
    # (OFF, ON) histograms, time step t fed bin t
    backbone=dict(in_channels=2, encoding='sequence'),
    bbox_head=dict(
        num_classes=num_classes,
        # (w, h) at 192x152: the smaller three of the mini SNN-YOLOv3's
        # nine on P4, the larger on P5
        anchor_generator=dict(base_sizes=[[(12, 30), (24, 14), (34, 20)],
                                          [(24, 56), (70, 40), (120, 70)]]),
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels),
        loss_obj=dict(
            loss_weight=1.0 * (img_size / 640)**2 * 3 / num_levels)))

# The mini SNN-YOLOv3's 10 epochs, which fit the comparison's budget (the
# main job SNN's 4 epochs of mini-VOC, about 10 minutes on a 2-core CPU): a
# step costs about one of that SNN's, a mini-Gen1 epoch has a third of the
# steps.
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# ultralytics' optimiser keeps weight decay off norms and biases.
optim_wrapper = dict(
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
custom_hooks = [dict(type='FiringRateHook')]
