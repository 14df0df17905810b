# SNN-YOLOv3's spiking neck and head on an ANN backbone, on PASCAL VOC
# (data, schedule and metric of
# ../snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t4.py).
#
# ANN: mmdet's Darknet-53 backbone (LeakyReLU).
# Spiking: the YOLOv3 neck (IF neurons), which receives the backbone's
#   real-valued features repeated over T (TimeRepeat: direct encoding), and
#   the head's bridge convs; the head's prediction convs do not spike and
#   decode by Current Mean Decoding.
# SNNYOLOV3 owns T and sets it on every part that has one.
_base_ = '../snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t4.py'

time_steps = 4
model = dict(
    time_steps=time_steps,
    backbone=dict(type='Darknet'),
    neck=dict(
        _delete_=True,
        type='TimeSequential',
        modules=[
            dict(type='TimeRepeat'),
            dict(
                type='SpikingYOLOV3Neck',
                num_scales=3,
                in_channels=[1024, 512, 256],
                out_channels=[512, 256, 128]),
        ]))
