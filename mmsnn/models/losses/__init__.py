from .yolov5_ciou_loss import YOLOV5CIoULoss, yolov5_ciou
from .yolov8_ciou_loss import YOLOv8CIoULoss, yolov8_ciou

__all__ = ['YOLOV5CIoULoss', 'yolov5_ciou', 'YOLOv8CIoULoss', 'yolov8_ciou']
