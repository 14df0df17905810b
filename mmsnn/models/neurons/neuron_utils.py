"""Find, reset and switch the neurons of a model, by their base class."""
from typing import Iterator, Tuple

import torch.nn as nn

from .base_neuron import BaseSpikingNeuron


def spiking_modules(
        model: nn.Module) -> Iterator[Tuple[str, BaseSpikingNeuron]]:
    """Yield ``(name, module)`` for every spiking neuron in ``model`` (every
    :class:`BaseSpikingNeuron`, itself included)."""
    for name, module in model.named_modules():
        if isinstance(module, BaseSpikingNeuron):
            yield name, module


def reset_neurons(model: nn.Module) -> None:
    """Return every neuron of ``model`` to rest (clears step-by-step state)."""
    for _, neuron in spiking_modules(model):
        neuron.reset()


def set_step_mode(model: nn.Module, step_mode: str) -> None:
    """Switch every neuron between ``'m'`` (folded) and ``'s'`` (stateful)."""
    for _, neuron in spiking_modules(model):
        neuron.step_mode = step_mode
