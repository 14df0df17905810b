# Deprecated: the old name of configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../../mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py'
_deprecation_ = dict(
    expected='configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py',
    reference='docs/changelog.md')
