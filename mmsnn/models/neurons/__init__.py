"""The neuron family: every spiking neuron derives from
:class:`BaseSpikingNeuron`, and mmsnn finds neurons by that type."""
from .backends import BACKEND_ENV, BACKENDS, FASTEST_BACKEND, resolve_backend
from .base_neuron import BaseSpikingNeuron, check_positive, register_neuron
from .if_neuron import IFNeuron
from .ilif_neuron import ILIFNeuron
from .lif_neuron import LIFNeuron
from .neuron_utils import reset_neurons, set_step_mode, spiking_modules
from .plif_neuron import ParametricLIFNeuron
from .spikingjelly_neuron import SpikingJellyNeuron
from .stbp_lif_neuron import STBPLIFNeuron
from .surrogates import (rectangular_primitive, rectangular_spike,
                         rectangular_surrogate_grad)
from .threshold_neuron import ThresholdNeuron

__all__ = [
    'BACKEND_ENV', 'BACKENDS', 'FASTEST_BACKEND', 'resolve_backend',
    'BaseSpikingNeuron', 'check_positive', 'register_neuron', 'IFNeuron',
    'ILIFNeuron', 'LIFNeuron', 'ParametricLIFNeuron', 'SpikingJellyNeuron',
    'ThresholdNeuron', 'reset_neurons', 'set_step_mode', 'spiking_modules', 'STBPLIFNeuron',
    'rectangular_primitive', 'rectangular_spike', 'rectangular_surrogate_grad'
]
