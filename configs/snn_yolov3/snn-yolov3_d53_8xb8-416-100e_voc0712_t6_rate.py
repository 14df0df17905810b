# Ablation: rate decoding instead of CMD. The prediction convs drive IF
# neurons and their firing rate (a multiple of 1/T) is the output.
_base_ = './snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'

model = dict(bbox_head=dict(decode_mode='rate'))
