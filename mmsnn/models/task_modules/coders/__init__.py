from .yolov5_bbox_coder import YOLOV5BBoxCoder

__all__ = ['YOLOV5BBoxCoder']
