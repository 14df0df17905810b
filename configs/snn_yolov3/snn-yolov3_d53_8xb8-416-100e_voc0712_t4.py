# SNN-YOLOv3 at T=4 (the paper's faster setting); otherwise as T=6.
_base_ = './snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'

model = dict(time_steps=4)
