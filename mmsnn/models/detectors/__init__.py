from .snn_yolov3 import SNNYOLOV3
from .spiking_detector_mixin import SpikingDetectorMixin
from .spiking_faster_rcnn import SpikingFasterRCNN
from .spiking_fcos import SpikingFCOS
from .spiking_retinanet import SpikingRetinaNet
from .spiking_single_stage import SpikingSingleStageDetector
from .spiking_two_stage import SpikingTwoStageDetector

__all__ = [
    'SNNYOLOV3', 'SpikingDetectorMixin', 'SpikingFasterRCNN', 'SpikingFCOS',
    'SpikingRetinaNet', 'SpikingSingleStageDetector',
    'SpikingTwoStageDetector'
]
