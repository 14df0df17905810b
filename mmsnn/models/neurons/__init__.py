"""The neuron family: every spiking neuron derives from
:class:`BaseSpikingNeuron`, and mmsnn finds neurons by that type; every
module with a membrane over time (neurons included) derives from
:class:`BaseMembraneModule`."""
from .backends import BACKEND_ENV, BACKENDS, FASTEST_BACKEND, resolve_backend
from .base_membrane import BaseMembraneModule
from .base_neuron import BaseSpikingNeuron, check_positive, register_neuron
from .if_neuron import IFNeuron
from .ilif_neuron import ILIFNeuron
from .lif_neuron import LIFNeuron
from .neuron_utils import (membrane_modules, reset_neurons, set_step_mode,
                           spiking_modules)
from .plif_neuron import ParametricLIFNeuron
from .spikingjelly_neuron import SpikingJellyNeuron
from .stbp_lif_neuron import STBPLIFNeuron
from .surrogates import (rectangular_primitive, rectangular_spike,
                         rectangular_surrogate_grad)
from .threshold_neuron import ThresholdNeuron

__all__ = [
    'BACKEND_ENV', 'BACKENDS', 'FASTEST_BACKEND', 'resolve_backend',
    'BaseMembraneModule', 'BaseSpikingNeuron', 'check_positive',
    'register_neuron', 'IFNeuron', 'ILIFNeuron', 'LIFNeuron',
    'ParametricLIFNeuron', 'SpikingJellyNeuron', 'ThresholdNeuron',
    'membrane_modules', 'reset_neurons', 'set_step_mode',
    'spiking_modules', 'STBPLIFNeuron',
    'rectangular_primitive', 'rectangular_spike', 'rectangular_surrogate_grad'
]
