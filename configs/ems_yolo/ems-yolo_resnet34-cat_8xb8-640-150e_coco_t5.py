# EMS-YOLO with EMS-ResNet34 (models/resnet34-cat.yaml) on COCO: the
# architecture of the checkpoint BICLab/EMS-YOLO releases (their
# runs/train/opt.yaml: cfg models/resnet34-cat.yaml, 150 epochs, batch 32,
# 640 px). Convert it after re-saving its state_dict where it unpickles:
#   python tools/model_converters/ems_yolo_to_mmsnn.py best_state.pt \
#       ems-yolo_resnet34-cat_coco.pth \
#       --config configs/ems_yolo/ems-yolo_resnet34-cat_8xb8-640-150e_coco_t5.py
_base_ = './ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py'

arch = 'resnet34-cat'
model = dict(backbone=dict(arch=arch), neck=dict(arch=arch))
