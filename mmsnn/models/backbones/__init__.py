from .spiking_darknet import SpikingDarknet
from .spiking_resnet import SpikingResNet

__all__ = ['SpikingDarknet', 'SpikingResNet']
