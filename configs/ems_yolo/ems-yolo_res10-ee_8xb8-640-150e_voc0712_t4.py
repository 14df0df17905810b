# EMS-YOLO (EMS-Res10) at T=4 on PASCAL VOC07+12 -> VOC07 test, for the
# comparison with SNN-YOLOv3
# (../snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t4.py). EMS-YOLO
# publishes no VOC recipe: this is its COCO recipe (mosaic, 640 px, SGD,
# 150 epochs) on VOC's splits and 11-point metric, with the class loss gain
# rescaled for 20 classes.
_base_ = [
    './ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py',
    '../_base_/datasets/voc0712_splits.py'
]

num_classes = 20
num_levels = 2
model = dict(
    time_steps=4,
    bbox_head=dict(
        num_classes=num_classes,
        loss_cls=dict(loss_weight=0.5 * num_classes / 80 * 3 / num_levels)))

# Each trainval year loads images and boxes; the mosaic wrapper mixes them.
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            _delete_=True,
            **_base_.voc0712_trainval_concat,
            datasets=[
                dict(split, pipeline=_base_.load_pipeline)
                for split in _base_.voc0712_trainval
            ])))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        **_base_.voc07_test,
        pipeline=_base_.test_pipeline,
        backend_args=None))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, **_base_.voc07_metric)
test_evaluator = val_evaluator
