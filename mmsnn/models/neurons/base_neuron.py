"""The base of every spiking neuron.

Every neuron-aware part of mmsnn (firing-rate hook, energy counting, ANN
twin, activation checkpointing, Spikify) finds neurons as instances of
:class:`BaseSpikingNeuron`, so a new neuron is one subclass plus
:func:`register_neuron`. Reset, step mode and training mode reach every
:class:`~mmsnn.models.neurons.BaseMembraneModule`, neurons included.
"""
import math
from typing import Optional, Tuple, Type, TypeVar, Union

from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from .base_membrane import BaseMembraneModule

NeuronType = TypeVar('NeuronType', bound=Type['BaseSpikingNeuron'])


def register_neuron(cls: NeuronType) -> NeuronType:
    """Class decorator: register a neuron in mmdet's ``MODELS`` and in
    mmengine's root ``MODELS``.

    mmcv's ``ConvModule`` builds ``act_cfg`` from the root registry, which
    sees mmdet's entries only under mmdet's default scope: a neuron
    registered in both is an ``act_cfg`` everywhere.
    """
    if not (isinstance(cls, type) and issubclass(cls, BaseSpikingNeuron)):
        raise TypeError(f'register_neuron: {cls!r} is not a subclass of '
                        'BaseSpikingNeuron')
    MODELS.register_module(module=cls)
    MMENGINE_MODELS.register_module(module=cls)
    return cls


def check_positive(owner: str, field: str, value, above: float = 0.) -> float:
    """Return ``value`` as a float if it is a finite number > ``above``.

    Args:
        owner (str): The neuron, for the message (``'LIFNeuron'``).
        field (str): The argument, for the message (``'tau'``).
        value: The value to check.
        above (float): Exclusive lower bound. Defaults to 0.

    Raises:
        ConfigValueError: Naming owner, field, value and what is expected.
    """
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) and value > above
    if not ok:
        raise ConfigValueError(
            f'{owner}: {field} must be a finite number > {above:g}, got '
            f'{value!r}')
    return float(value)


class BaseSpikingNeuron(BaseMembraneModule):
    """A spiking neuron in mmsnn's time-folded protocol.

    The protocol of time, step modes and training modes is
    :class:`~mmsnn.models.neurons.BaseMembraneModule`'s: multi-step mode
    (``step_mode='m'``, the default) takes ``[T*B, ...]`` time-major and
    returns spikes of the same shape, every call from rest, so one neuron
    module may serve several layers; single-step mode (``'s'``) keeps the
    potential ``v`` between calls until :meth:`reset` (the per-step
    reference path). A neuron's output is spikes (binary, or integer
    counts): firing rates, energy counting and the ANN twin find neurons
    by this class.

    A subclass writes its dynamics once, as :meth:`neuronal_step` (charge,
    fire, reset); the base runs it over T from rest, step by step and in
    every training mode (with SLTT the potential enters every step
    detached, with SLTT-K only the drawn steps build a graph). A neuron
    whose kernel can cut the temporal gradient overrides
    :meth:`sltt_sequence` (forward values then stay its kernel's). A neuron
    whose state is not one tensor ``v`` overrides :meth:`initial_state`
    (and :meth:`detach_state` if it is not a tensor or a float).

    Args:
        time_steps (int): T, used to unfold ``[T*B, ...]`` in multi-step
            mode. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` (the fastest measured for the device, see
            :mod:`mmsnn.models.neurons.backends`) or one of
            :attr:`backends`. Defaults to ``'auto'``.
        v_rest (float): Potential at rest (after :meth:`reset`).
            Defaults to 0.
        inplace (bool, optional): Whether the input may be overwritten in
            inference (``ConvModule`` passes True to every activation); a
            neuron with an in-place kernel uses it (:attr:`inplace`).
            Defaults to None (False).
    """

    def __init__(self,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 v_rest: float = 0.,
                 inplace: Optional[bool] = None) -> None:
        super().__init__(time_steps, step_mode, backend)
        self.v_rest = float(v_rest)
        self.inplace = bool(inplace)
        self.register_memory('v', self.v_rest)

    def neuronal_step(self, x: Tensor,
                      v: Union[Tensor, float]) -> Tuple[Tensor, Tensor]:
        """One step on the autograd graph: charge, fire, reset.

        Args:
            x (Tensor): Input current of one step, ``[B, ...]``.
            v (Tensor | float): Potential after the previous step.

        Returns:
            tuple[Tensor, Tensor]: Spikes and the potential after reset,
            both ``[B, ...]``.
        """
        raise NotImplementedError

    def initial_state(self):
        """The potential at rest, ``v_rest``."""
        return self.v_rest
