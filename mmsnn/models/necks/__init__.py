from .spikeyolo_neck import SpikeYOLONeck
from .spiking_yolo_neck import SpikingYOLOV3Neck

__all__ = ['SpikingYOLOV3Neck', 'SpikeYOLONeck']
