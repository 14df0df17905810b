"""Kept for old imports: the IF neuron lives in :mod:`mmsnn.models.neurons`."""
from ..neurons.backends import KERNEL_BACKENDS
from ..neurons.if_neuron import IFNeuron
from ..neurons.threshold_neuron import RESET_MODES

#: Backends an explicit config may name (``'auto'`` picks among them).
BACKENDS = ('auto', *KERNEL_BACKENDS)

__all__ = ['IFNeuron', 'BACKENDS', 'RESET_MODES']
