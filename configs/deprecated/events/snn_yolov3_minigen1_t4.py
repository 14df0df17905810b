# Deprecated: the old name of configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../../events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'
_deprecation_ = dict(
    expected='configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py',
    reference='docs/changelog.md')
