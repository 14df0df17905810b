# ANN YOLOv3 (Darknet-53, 416 px) on PASCAL VOC07+12 -> VOC07 test: the
# baseline of SNN-YOLOv3, with the spiking configs' data pipeline and
# schedule. The authors' own protocol (VOC2012 val, COCO-style AP50) is
# snn-yolov3-spp_d53_8xb8-416-100e_voc2012_t6_authors.py.
_base_ = [
    '../_base_/models/yolov3_d53.py', '../_base_/datasets/voc0712.py',
    '../_base_/schedules/schedule_sgd-cosine-100e.py',
    '../_base_/default_runtime.py'
]

model = dict(bbox_head=dict(num_classes=20))
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
