# Deprecated: the old name of configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../../events/yolov3_d53-mini_1xb8-192-10e_minigen1.py'
_deprecation_ = dict(
    expected='configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py',
    reference='docs/changelog.md')
