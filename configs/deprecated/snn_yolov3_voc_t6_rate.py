# Deprecated: the old name of configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6_rate.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6_rate.py'
_deprecation_ = dict(
    expected='configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6_rate.py',
    reference='docs/changelog.md')
