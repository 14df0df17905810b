from .cmd_yolo_head import CMDYOLOV3Head

__all__ = ['CMDYOLOV3Head']
