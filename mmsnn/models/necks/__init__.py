from .ems_yolo_neck import EMSYOLONeck
from .spikeyolo_neck import SpikeYOLONeck
from .spiking_yolo_neck import SpikingYOLOV3Neck

__all__ = ['EMSYOLONeck', 'SpikingYOLOV3Neck', 'SpikeYOLONeck']
