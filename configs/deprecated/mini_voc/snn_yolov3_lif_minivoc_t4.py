# Deprecated: the old name of configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../../mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py'
_deprecation_ = dict(
    expected='configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py',
    reference='docs/changelog.md')
