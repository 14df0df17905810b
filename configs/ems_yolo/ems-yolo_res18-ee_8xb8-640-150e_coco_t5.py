# EMS-YOLO with EMS-Res18 (models/res18-ee.yaml) on COCO: the res10-ee
# recipe with one BasicBlock_ms after each stage's ConcatBlock_ms.
_base_ = './ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py'

arch = 'res18-ee'
model = dict(backbone=dict(arch=arch), neck=dict(arch=arch))
