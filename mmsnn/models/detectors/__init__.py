from .ems_yolo import EMSYOLO
from .snn_yolov3 import SNNYOLOV3
from .spikeyolo import SpikeYOLO
from .spiking_detector_mixin import SpikingDetectorMixin
from .spiking_detectors import (SpikingFasterRCNN, SpikingFCOS,
                                SpikingRetinaNet, SpikingSingleStageDetector,
                                SpikingTwoStageDetector, spiking_detector)

__all__ = [
    'EMSYOLO', 'SNNYOLOV3', 'SpikeYOLO', 'SpikingDetectorMixin',
    'SpikingFasterRCNN',
    'SpikingFCOS', 'SpikingRetinaNet', 'SpikingSingleStageDetector',
    'SpikingTwoStageDetector', 'spiking_detector'
]
