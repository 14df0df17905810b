from .cmd_fcos_head import CMDFCOSHead
from .cmd_head_mixin import CMDHeadMixin
from .cmd_retina_head import CMDRetinaHead
from .cmd_yolo_head import CMDYOLOV3Head
from .spikeyolo_head import SpikeYOLOHead

__all__ = [
    'CMDHeadMixin', 'CMDYOLOV3Head', 'CMDRetinaHead', 'CMDFCOSHead',
    'SpikeYOLOHead'
]
