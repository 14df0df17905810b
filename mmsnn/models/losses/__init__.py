from .yolov5_ciou_loss import YOLOV5CIoULoss, yolov5_ciou

__all__ = ['YOLOV5CIoULoss', 'yolov5_ciou']
