# YOLOv3 with a spiking backbone under an ANN neck and head, on PASCAL VOC
# (data, schedule and metric of
# ../snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py).
#
# Spiking: the Darknet-53 backbone (IF neurons; its first conv set encodes
#   the image; T steps folded into the batch).
# ANN: the YOLOv3 neck and head (LeakyReLU), fed the backbone's firing rates
#   (TimeDecode: mean of the spikes over T).
# SNNYOLOV3 is mmdet's YOLOV3 that owns T (and resets the neurons):
# `model.time_steps` is the one place it is set (`--cfg-options
# model.time_steps=6`); it hands T to the TimeSequential and its parts.
_base_ = '../snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py'

time_steps = 4
model = dict(
    type='SNNYOLOV3',
    time_steps=time_steps,
    backbone=dict(
        _delete_=True,
        type='TimeSequential',
        modules=[
            dict(type='SpikingDarknet', depth=53, out_indices=(3, 4, 5)),
            dict(type='TimeDecode', decode_mode='mean'),
        ]))
