from .cmd_fcos_head import CMDFCOSHead
from .cmd_head_mixin import CMDHeadMixin
from .cmd_retina_head import CMDRetinaHead
from .cmd_yolo_head import CMDYOLOV3Head
from .cmd_yolov5_head import CMDYOLOV5Head
from .spikeyolo_head import SpikeYOLOHead
from .yolov5_head import YOLOV5Head

__all__ = [
    'CMDHeadMixin', 'CMDYOLOV3Head', 'CMDRetinaHead', 'CMDFCOSHead',
    'CMDYOLOV5Head', 'YOLOV5Head', 'SpikeYOLOHead'
]
