from .snn_yolov3 import SNNYOLOV3

__all__ = ['SNNYOLOV3']
