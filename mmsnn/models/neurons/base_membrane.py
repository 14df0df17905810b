"""The base of every module with a membrane carried over time steps.

Spiking neurons (:class:`~mmsnn.models.neurons.BaseSpikingNeuron`) are
such modules, and so is a real-valued activation with a membrane (EMS-YOLO's
:class:`~mmsnn.models.layers.MembraneSiLU`). What they share is the
protocol of time: a whole time-folded sequence per call from rest, or one
step at a time with the state kept (the per-step reference path), and the
training mode (SLTT cuts the state's gradient between steps). Resetting,
switching the step mode and giving the training mode find these modules
by this type (:func:`~mmsnn.models.neurons.membrane_modules`); what finds
neurons (firing rates, energy, the ANN twin) looks for the narrower
``BaseSpikingNeuron``.
"""
from typing import Optional, Tuple

import torch
from spikingjelly.activation_based.base import MemoryModule
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..time.folding import check_time_steps, fold_time, unfold_time
from .backends import check_backend, resolve_backend
from .bptt_mode import BPTTMode, StepDraw


class BaseMembraneModule(MemoryModule):
    """A module whose state (a membrane) is carried over T time steps.

    Multi-step mode (``step_mode='m'``, the default) takes time folded into
    the batch, ``[T*B, ...]`` time-major, and returns outputs of the same
    shape; every call is a whole sequence that starts from rest
    (:meth:`initial_state`), so no state survives a call. Single-step mode
    (``'s'``) takes one step ``[B, ...]`` and keeps the state in the memory
    ``v`` between calls until :meth:`reset`.

    A subclass writes its dynamics once, as :meth:`neuronal_step` (one step
    on the autograd graph), gives its state at rest (:meth:`initial_state`)
    and registers it as the memory ``v``
    (``self.register_memory('v', self.initial_state())``); the base runs
    the step over T from rest and step by step, in every training mode
    (:attr:`bptt`): with SLTT the state enters every step detached
    (:meth:`detach_state`), and with SLTT-K only the drawn steps build a
    graph, from the state of a run without one. A subclass with a faster
    multi-step kernel lists it in :attr:`backends` and implements
    :meth:`kernel_sequence`.

    Args:
        time_steps (int): T, used to unfold ``[T*B, ...]`` in multi-step
            mode. Usually set by the owner of T. Defaults to
            ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` (the fastest measured for the device, see
            :mod:`mmsnn.models.neurons.backends`) or one of
            :attr:`backends`. Defaults to ``'auto'``.
    """

    #: Backends this module can run, besides ``'auto'``.
    backends: Tuple[str, ...] = ('autograd', )

    def __init__(self,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto') -> None:
        super().__init__()
        self.time_steps = check_time_steps(time_steps)
        self.backend = check_backend(type(self).__name__, backend,
                                     self.backends)
        self.step_mode = step_mode
        #: The training mode, shared with the owner that sets it; None is
        #: back-propagation through time.
        self.bptt: Optional[BPTTMode] = None

    # -- what a subclass defines ----------------------------------------
    def neuronal_step(self, x: Tensor, state) -> Tuple[Tensor, object]:
        """One step on the autograd graph.

        Args:
            x (Tensor): Input of one step, ``[B, ...]``.
            state: The state after the previous step (:meth:`initial_state`
                at step 0).

        Returns:
            tuple: The step's output ``[B, ...]`` and the new state.
        """
        raise NotImplementedError

    def initial_state(self):
        """The state at rest, what :meth:`neuronal_step` takes at step 0."""
        raise NotImplementedError

    # -- the protocol ---------------------------------------------------
    def kernel_sequence(self, x_seq: Tensor, backend: str) -> Tensor:
        """A whole sequence from rest with a kernel backend (not
        ``'autograd'``): ``[T, B, ...] -> [T, B, ...]`` outputs."""
        raise NotImplementedError(
            f'{type(self).__name__} has no {backend!r} kernel')

    @property
    def compile_failed(self) -> Optional[str]:
        """Why ``torch.compile`` failed in this process (None if it did not
        or was not tried); ``'auto'`` then avoids ``'compiled'``."""
        return None

    @property
    def resolved_backend(self) -> str:
        """The backend that runs on the device of the module's tensors."""
        tensors = list(self.parameters()) + list(self.buffers())
        device = tensors[0].device.type if tensors else 'cpu'
        return self.backend_on(device)

    def backend_on(self, device: str) -> str:
        """The backend that runs on ``device`` (a type, e.g. ``'cpu'``)."""
        return resolve_backend(self.backend, device, self.backends,
                               self.compile_failed)

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
        outs, state = [], self.initial_state()
        for x in x_seq:
            if not temporal_grad:
                state = self.detach_state(state)
            out, state = self.neuronal_step(x, state)
            outs.append(out)
        return torch.stack(outs)

    def drawn_steps_sequence(self, x_seq: Tensor, draw: StepDraw) -> Tensor:
        """SLTT-K on the per-step graph: every step without a graph, then
        the drawn steps again, each from its detached state.

        Args:
            x_seq (Tensor): Input currents, ``[T, B, ...]``.
            draw (StepDraw): The steps that back-propagate.

        Returns:
            Tensor: Outputs ``[T, B, ...]``; the drawn steps' on the graph.
        """
        xs = x_seq.unbind(0)  # one gradient buffer for all steps
        outs, starts, state = [], {}, self.initial_state()
        with torch.no_grad():
            for t, x in enumerate(xs):
                if t in draw.steps:
                    starts[t] = state
                out, state = self.neuronal_step(x, state)
                outs.append(out)
        for t in draw.steps:
            outs[t], _ = self.neuronal_step(xs[t], starts[t])
        return torch.stack(outs)

    def sltt_sequence(self, x_seq: Tensor, backend: str,
                      draw: Optional[StepDraw]) -> Tensor:
        """A whole sequence from rest with the state detached between
        steps (SLTT): what :meth:`sequence` runs in that mode.

        The base runs :meth:`neuronal_step` whatever the backend; a module
        with a kernel that can cut the temporal gradient overrides this.

        Args:
            x_seq (Tensor): Input currents, ``[T, B, ...]``.
            backend (str): The resolved backend.
            draw (StepDraw, optional): The only steps that back-propagate
                (SLTT-K); None for all.

        Returns:
            Tensor: Outputs ``[T, B, ...]``, equal to :meth:`sequence`'s in
            BPTT (bit for bit where the backend is ``'autograd'``).
        """
        if draw is None:
            return self.reference_sequence(x_seq, temporal_grad=False)
        return self.drawn_steps_sequence(x_seq, draw)

    def sequence(self, x_seq: Tensor) -> Tensor:
        """A whole sequence from rest, ``[T, B, ...] -> [T, B, ...]``, with
        the backend resolved for the input's device and the training
        mode."""
        backend = self.backend_on(x_seq.device.type)
        if self.cuts_temporal_grad and torch.is_grad_enabled():
            draw = self.bptt.grad_steps(x_seq.shape[0] * x_seq.shape[1])
            return self.sltt_sequence(x_seq, backend, draw)
        if backend == 'autograd':
            return self.reference_sequence(x_seq)
        return self.kernel_sequence(x_seq, backend)

    @property
    def cuts_temporal_grad(self) -> bool:
        """Whether the state enters each step detached (SLTT)."""
        return self.bptt is not None and self.bptt.sltt

    def single_step_forward(self, x: Tensor) -> Tensor:
        """One time step ``[B, ...]``; the state persists in ``self.v``
        (detached before the step with SLTT)."""
        v = self.detach_state(self.v) if self.cuts_temporal_grad else self.v
        out, self.v = self.neuronal_step(x, v)
        return out

    def multi_step_forward(self, x: Tensor) -> Tensor:
        """A whole sequence from rest: ``[T*B, ...] -> [T*B, ...]``."""
        return fold_time(self.sequence(unfold_time(x, self.time_steps)))

    def extra_repr(self) -> str:
        backend = self.backend if self.backend != 'auto' else \
            f'auto ({self.resolved_backend})'
        bptt = '' if self.bptt is None or not self.bptt.sltt else \
            f', bptt={self.bptt.to_dict()}'
        return (f'time_steps={self.time_steps}, step_mode={self.step_mode}, '
                f'backend={backend}' + bptt)

