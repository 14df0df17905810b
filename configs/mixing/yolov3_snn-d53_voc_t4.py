# YOLOv3 with a spiking backbone under an ANN neck and head, on PASCAL VOC
# (data, schedule and metric of ../snn_yolov3/yolov3_d53_voc.py).
#
# Spiking: the Darknet-53 backbone (IF neurons; its first conv set encodes
#   the image; T steps folded into the batch).
# ANN: the YOLOv3 neck and head (LeakyReLU), fed the backbone's firing rates
#   (TimeDecode: mean of the spikes over T).
# The detector is mmdet's YOLOV3, which knows nothing of T: the
# TimeSequential container owns it and hands it to its parts.
_base_ = '../snn_yolov3/yolov3_d53_voc.py'

time_steps = 4
model = dict(
    backbone=dict(
        _delete_=True,
        type='TimeSequential',
        time_steps=time_steps,
        modules=[
            dict(type='SpikingDarknet', depth=53, out_indices=(3, 4, 5)),
            dict(type='TimeDecode', mode='mean'),
        ]))
