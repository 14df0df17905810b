"""The base of every spiking neuron: the time-folded protocol and its state.

Every neuron-aware part of mmsnn (reset, step mode, firing-rate hook, energy
counting, ANN twin, activation checkpointing, Spikify) finds neurons as
instances of :class:`BaseSpikingNeuron`, so a new neuron is one subclass
plus :func:`register_neuron`.
"""
import math
from typing import Optional, Tuple, Type, TypeVar, Union

import torch
from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS
from spikingjelly.activation_based.base import MemoryModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..time.folding import check_time_steps, fold_time, unfold_time
from .backends import check_backend, resolve_backend
from .bptt_mode import BPTTMode, StepDraw

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


class BaseSpikingNeuron(MemoryModule):
    """A spiking neuron in mmsnn's time-folded protocol.

    Multi-step mode (``step_mode='m'``, the default) takes time folded into
    the batch, ``[T*B, ...]`` time-major, and returns spikes of the same
    shape; every call is a whole sequence that starts from rest, so no state
    survives a call and one neuron module may serve several layers.
    Single-step mode (``'s'``) takes one step ``[B, ...]`` and keeps the
    potential ``v`` between calls until :meth:`reset` (the per-step
    reference path).

    A subclass writes its dynamics once, as :meth:`neuronal_step` (one step
    on the autograd graph); the base runs it over T from rest
    (:meth:`reference_sequence`, backend ``'autograd'``) and step by step.
    A subclass with a faster multi-step kernel lists it in :attr:`backends`
    and implements :meth:`kernel_sequence`.

    The training mode (:attr:`bptt`, set by the detector from
    ``model.bptt``) is the base's business too: with SLTT the potential
    enters every step detached (:meth:`sltt_sequence`, and in single-step
    mode :meth:`single_step_forward`), and with SLTT-K only the drawn steps
    build a graph, from the potential of a run without one. Both run
    :meth:`neuronal_step`, so every neuron supports them; a neuron whose
    kernel can do the same overrides :meth:`sltt_sequence` (forward values
    then stay its kernel's). A neuron whose state is not one tensor ``v``
    overrides :meth:`initial_state` (and :meth:`detach_state` if it is not
    a tensor or a float).

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
        inplace (bool, optional): Ignored; ``ConvModule`` passes it to every
            activation.
    """

    #: Backends this neuron can run, besides ``'auto'``.
    backends: Tuple[str, ...] = ('autograd', )

    def __init__(self,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 v_rest: float = 0.,
                 inplace: Optional[bool] = None) -> None:
        super().__init__()
        self.time_steps = check_time_steps(time_steps)
        self.backend = check_backend(type(self).__name__, backend,
                                     self.backends)
        self.v_rest = float(v_rest)
        self.register_memory('v', self.v_rest)
        self.step_mode = step_mode
        #: The training mode, shared with the detector that sets it; None
        #: is back-propagation through time.
        self.bptt: Optional[BPTTMode] = None

    # -- what a neuron defines ------------------------------------------
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

    def kernel_sequence(self, x_seq: Tensor, backend: str) -> Tensor:
        """A whole sequence from rest with a kernel backend (not
        ``'autograd'``): ``[T, B, ...] -> [T, B, ...]`` spikes."""
        raise NotImplementedError(
            f'{type(self).__name__} has no {backend!r} kernel')

    # -- the protocol ---------------------------------------------------
    @property
    def compile_failed(self) -> Optional[str]:
        """Why ``torch.compile`` failed in this process (None if it did not
        or was not tried); ``'auto'`` then avoids ``'compiled'``."""
        return None

    @property
    def resolved_backend(self) -> str:
        """The backend that runs on the device of the neuron's tensors."""
        tensors = list(self.parameters()) + list(self.buffers())
        device = tensors[0].device.type if tensors else 'cpu'
        return resolve_backend(self.backend, device, self.backends,
                               self.compile_failed)

    def initial_state(self):
        """The state at rest, what :meth:`neuronal_step` takes at step 0."""
        return self.v_rest

    def detach_state(self, state):
        """``state`` cut from the autograd graph (SLTT)."""
        return state.detach() if isinstance(state, Tensor) else state

    def reference_sequence(self, x_seq: Tensor,
                           temporal_grad: bool = True) -> Tensor:
        """:meth:`neuronal_step` over ``[T, B, ...]`` from rest.

        Args:
            x_seq (Tensor): Input currents, ``[T, B, ...]``.
            temporal_grad (bool): Back-propagate through time; False
                detaches the state before every step (SLTT). Defaults to
                True.
        """
        spikes, v = [], self.initial_state()
        for x in x_seq:
            if not temporal_grad:
                v = self.detach_state(v)
            spike, v = self.neuronal_step(x, v)
            spikes.append(spike)
        return torch.stack(spikes)

    def drawn_steps_sequence(self, x_seq: Tensor, draw: StepDraw) -> Tensor:
        """SLTT-K on the per-step graph: every step without a graph, then
        the drawn steps again, each from its detached state.

        Args:
            x_seq (Tensor): Input currents, ``[T, B, ...]``.
            draw (StepDraw): The steps that back-propagate.

        Returns:
            Tensor: Spikes ``[T, B, ...]``; the drawn steps' on the graph.
        """
        xs = x_seq.unbind(0)  # one gradient buffer for all steps
        spikes, starts, state = [], {}, self.initial_state()
        with torch.no_grad():
            for t, x in enumerate(xs):
                if t in draw.steps:
                    starts[t] = state
                spike, state = self.neuronal_step(x, state)
                spikes.append(spike)
        for t in draw.steps:
            spikes[t], _ = self.neuronal_step(xs[t], starts[t])
        return torch.stack(spikes)

    def sltt_sequence(self, x_seq: Tensor, backend: str,
                      draw: Optional[StepDraw]) -> Tensor:
        """A whole sequence from rest with the potential detached between
        steps (SLTT): what :meth:`sequence` runs in that mode.

        The base runs :meth:`neuronal_step` whatever the backend; a neuron
        with a kernel that can cut the temporal gradient overrides this.

        Args:
            x_seq (Tensor): Input currents, ``[T, B, ...]``.
            backend (str): The resolved backend.
            draw (StepDraw, optional): The only steps that back-propagate
                (SLTT-K); None for all.

        Returns:
            Tensor: Spikes ``[T, B, ...]``, equal to :meth:`sequence`'s in
            BPTT (bit for bit where the backend is ``'autograd'``).
        """
        if draw is None:
            return self.reference_sequence(x_seq, temporal_grad=False)
        return self.drawn_steps_sequence(x_seq, draw)

    def sequence(self, x_seq: Tensor) -> Tensor:
        """A whole sequence from rest, ``[T, B, ...] -> [T, B, ...]``, with
        the resolved backend and the training mode."""
        backend = self.resolved_backend
        if self.cuts_temporal_grad and torch.is_grad_enabled():
            draw = self.bptt.grad_steps(x_seq.shape[0] * x_seq.shape[1])
            return self.sltt_sequence(x_seq, backend, draw)
        if backend == 'autograd':
            return self.reference_sequence(x_seq)
        return self.kernel_sequence(x_seq, backend)

    @property
    def cuts_temporal_grad(self) -> bool:
        """Whether the potential enters each step detached (SLTT)."""
        return self.bptt is not None and self.bptt.sltt

    def single_step_forward(self, x: Tensor) -> Tensor:
        """One time step ``[B, ...]``; the potential persists in ``self.v``
        (detached before the step with SLTT)."""
        v = self.detach_state(self.v) if self.cuts_temporal_grad else self.v
        spike, self.v = self.neuronal_step(x, v)
        return spike

    def multi_step_forward(self, x: Tensor) -> Tensor:
        """A whole sequence from rest: ``[T*B, ...] -> [T*B, ...]`` spikes."""
        return fold_time(self.sequence(unfold_time(x, self.time_steps)))

    def extra_repr(self) -> str:
        backend = self.backend if self.backend != 'auto' else \
            f'auto ({self.resolved_backend})'
        bptt = '' if self.bptt is None or not self.bptt.sltt else \
            f', bptt={self.bptt.to_dict()}'
        return (f'time_steps={self.time_steps}, step_mode={self.step_mode}, '
                f'backend={backend}' + bptt)

