# Ablation: rate decoding instead of CMD. The prediction convs drive IF
# neurons and their firing rate (a multiple of 1/T) is the output.
_base_ = './snn_yolov3_d53_voc_t6.py'

model = dict(bbox_head=dict(decode_mode='rate'))
