# SNN-YOLOv3 at T=4 (the paper's faster setting); otherwise as T=6.
_base_ = './snn_yolov3_d53_voc_t6.py'

model = dict(time_steps=4)
