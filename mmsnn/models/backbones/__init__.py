from .spiking_darknet import SpikingDarknet

__all__ = ['SpikingDarknet']
