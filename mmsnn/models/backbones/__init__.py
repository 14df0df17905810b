from .ems_resnet import EMSResNet
from .spiking_darknet import SpikingDarknet
from .spiking_resnet import SpikingResNet

__all__ = ['EMSResNet', 'SpikingDarknet', 'SpikingResNet']
