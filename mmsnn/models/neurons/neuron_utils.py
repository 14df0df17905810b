"""Find, reset and switch the neurons of a model, by their base class."""
from typing import Iterator, Tuple

import torch.nn as nn

from .base_membrane import BaseMembraneModule
from .base_neuron import BaseSpikingNeuron


def spiking_modules(
        model: nn.Module) -> Iterator[Tuple[str, BaseSpikingNeuron]]:
    """Yield ``(name, module)`` for every spiking neuron in ``model`` (every
    :class:`BaseSpikingNeuron`, itself included)."""
    for name, module in model.named_modules():
        if isinstance(module, BaseSpikingNeuron):
            yield name, module


def membrane_modules(
        model: nn.Module) -> Iterator[Tuple[str, BaseMembraneModule]]:
    """Yield ``(name, module)`` for every module of ``model`` with a
    membrane carried over time steps (every :class:`BaseMembraneModule`:
    the neurons and real-valued membranes such as ``MembraneSiLU``)."""
    for name, module in model.named_modules():
        if isinstance(module, BaseMembraneModule):
            yield name, module


def reset_neurons(model: nn.Module) -> None:
    """Return every module of ``model`` with a membrane to rest (clears
    step-by-step state)."""
    for _, module in membrane_modules(model):
        module.reset()


def set_step_mode(model: nn.Module, step_mode: str) -> None:
    """Switch every module of ``model`` with a membrane between ``'m'``
    (folded) and ``'s'`` (stateful)."""
    for _, module in membrane_modules(model):
        module.step_mode = step_mode
