"""Kept for old imports: the fused kernels live in
:mod:`mmsnn.models.neurons.multistep` (generalised to a leak factor)."""
from ..neurons.multistep import (NeuronMultiStep, _Kernels,
                                 atan_surrogate_grad, multistep_spikes,
                                 neuron_backward, neuron_forward,
                                 neuron_forward_eager)

#: The names of the IF-only version.
IFMultiStep = NeuronMultiStep
if_multistep = multistep_spikes
if_forward = neuron_forward
if_forward_eager = neuron_forward_eager
if_backward = neuron_backward

__all__ = [
    'NeuronMultiStep', '_Kernels', 'atan_surrogate_grad', 'multistep_spikes',
    'neuron_backward', 'neuron_forward', 'neuron_forward_eager',
    'IFMultiStep', 'if_multistep', 'if_forward', 'if_forward_eager',
    'if_backward'
]
