from .ems_resnet import EMSResNet
from .spiking_darknet import SpikingDarknet
from .spiking_resnet import SpikingResNet
from .spikeyolo_backbone import SPIKEYOLO_SCALES, SpikeYOLOBackbone

__all__ = [
    'EMSResNet', 'SpikingDarknet', 'SpikingResNet', 'SpikeYOLOBackbone',
    'SPIKEYOLO_SCALES'
]
