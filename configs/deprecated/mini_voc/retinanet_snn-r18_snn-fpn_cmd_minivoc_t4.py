# Deprecated: the old name of configs/mini_voc/retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py
# (renamed to mmdet's naming scheme), kept for one release; see
# docs/changelog.md.
_base_ = '../../mini_voc/retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py'
_deprecation_ = dict(
    expected='configs/mini_voc/retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py',
    reference='docs/changelog.md')
