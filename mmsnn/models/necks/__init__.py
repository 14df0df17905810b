from .ems_yolo_neck import EMSYOLONeck
from .spiking_yolo_neck import SpikingYOLOV3Neck

__all__ = ['EMSYOLONeck', 'SpikingYOLOV3Neck']
