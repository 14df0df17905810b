"""Neurons that fire when a potential crosses a threshold, trained with ATan.

The common part of IF, LIF and parametric LIF: threshold, soft or hard
reset, the ATan surrogate and the fused multi-step kernels of
:mod:`mmsnn.models.neurons.multistep`. A subclass states only its charge
(:meth:`ThresholdNeuron.charge`) and, to run on the kernels, its leak
factor and input scaling and ``backends = KERNEL_BACKENDS``; a subclass
that states only its charge runs the per-step graph (``'autograd'``).
"""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from spikingjelly.activation_based import surrogate
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from .backends import KERNEL_BACKENDS
from .base_neuron import BaseSpikingNeuron, check_positive
from .bptt_mode import StepDraw
from .multistep import _Kernels, multistep_spikes

RESET_MODES = ('soft', 'hard')


class ThresholdNeuron(BaseSpikingNeuron):
    """Charge, fire at ``V_th`` (ATan surrogate), reset (soft or hard).

    .. math::
        h[t] = f(V[t-1], I[t]), \\quad s[t] = H(h[t] - V_{th}), \\quad
        V[t] = h[t] - V_{th} s[t] \\ \\text{(soft)} \\ \\text{or} \\
        h[t] (1 - s[t]) + V_{reset} s[t] \\ \\text{(hard)}

    where the charge ``f`` is the subclass's. Backward uses the arctangent
    surrogate ``g'(x) = alpha / (2 (1 + (pi/2 alpha x)^2))`` (paper Eq. 5,
    spikingjelly's ``surrogate.ATan``).

    Args:
        v_threshold (float): Firing threshold ``V_th`` (finite, > 0).
            Defaults to 1.0.
        reset_mode (str): ``'soft'`` (subtract ``V_th``) or ``'hard'`` (reset
            to ``V_reset``, 0 unless the subclass has ``v_reset``).
            Defaults to ``'soft'``.
        surrogate_alpha (float): ``alpha`` of the ATan surrogate (finite,
            > 0). Defaults to 2.0.
        detach_reset (bool): Stop gradients through the reset term.
            Defaults to False.
        learnable_threshold (bool): Make ``V_th`` a trainable parameter named
            ``v_threshold`` (``paramwise_cfg.custom_keys`` can give it its own
            weight decay). Defaults to False.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` (the fastest measured for the device:
            ``'compiled'`` on CPU and CUDA; see
            :mod:`mmsnn.models.neurons.backends`), ``'fused'`` (one autograd
            node for all steps), ``'compiled'`` (the same node with its loops
            compiled by ``torch.compile`` into one kernel per direction:
            faster, costs a compilation of 10 to 20 s at first use; falls
            back to ``'fused'`` with a warning where compiling fails) or
            ``'autograd'`` (the plain per-step graph with spikingjelly's
            ``surrogate.ATan``; the reference). Defaults to ``'auto'``.
        v_reset (float): Reset potential of the hard reset, also the
            potential at rest. Defaults to 0.
        inplace (bool, optional): In inference, the spikes may overwrite
            the input currents (``ConvModule`` passes True, as to every
            activation; the ``'compiled'`` backend on CPU does it).
            Defaults to None (False).
    """

    #: Only the per-step graph unless the subclass maps its charge onto
    #: the kernels' ``h = k V + I'`` (IF, LIF do).
    backends = ('autograd', )

    def __init__(self,
                 v_threshold: float = 1.0,
                 reset_mode: str = 'soft',
                 surrogate_alpha: float = 2.0,
                 detach_reset: bool = False,
                 learnable_threshold: bool = False,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 v_reset: float = 0.,
                 inplace: Optional[bool] = None) -> None:
        name = type(self).__name__
        v_threshold = check_positive(name, 'v_threshold', v_threshold)
        self.surrogate_alpha = check_positive(name, 'surrogate_alpha',
                                              surrogate_alpha)
        if reset_mode not in RESET_MODES:
            raise ConfigValueError(f'{name}: reset_mode must be one of '
                                   f'{RESET_MODES}, got {reset_mode!r}')
        if not (isinstance(v_reset, (int, float)) and v_reset < v_threshold
                and (v_reset == 0 or reset_mode == 'hard')):
            raise ConfigValueError(
                f'{name}: v_reset must be a number below v_threshold='
                f'{v_threshold:g}, and 0 with the soft reset (which '
                f'subtracts the threshold), got v_reset={v_reset!r} with '
                f'reset_mode={reset_mode!r}')
        super().__init__(time_steps, step_mode, backend, v_reset, inplace)
        self.reset_mode = reset_mode
        self.detach_reset = detach_reset
        self.v_reset = float(v_reset)
        threshold = torch.tensor(v_threshold)
        if learnable_threshold:
            self.v_threshold = nn.Parameter(threshold)
        else:
            self.register_buffer('v_threshold', threshold, persistent=False)
        self.surrogate_function = surrogate.ATan(alpha=self.surrogate_alpha)

    # -- dynamics -------------------------------------------------------
    def charge(self, x: Tensor, v: Union[Tensor, float]) -> Tensor:
        """The potential after charging, ``h[t]`` from ``V[t-1]`` and
        ``I[t]`` (one step, autograd graph)."""
        raise NotImplementedError

    def leak_factor(self) -> Optional[Tensor]:
        """``k`` of the kernels' ``h = k (V - V_reset) + I'`` (0-dim), or
        None without leak (IF)."""
        return None

    def kernel_input(self, x_seq: Tensor) -> Tensor:
        """``I'``, the input as the kernels add it (LIF scales it by
        ``1/tau`` with ``decay_input``)."""
        return x_seq

    def neuronal_step(self, x: Tensor,
                      v: Union[Tensor, float]) -> Tuple[Tensor, Tensor]:
        h = self.charge(x, v)
        spike = self.surrogate_function(h - self.v_threshold)
        s = spike.detach() if self.detach_reset else spike
        if self.reset_mode == 'soft':
            v = h - self.v_threshold * s
        else:
            v = h * (1 - s) + self.v_reset * s
        return spike, v

    # -- kernels --------------------------------------------------------
    @property
    def compile_failed(self) -> Optional[str]:
        return _Kernels.compile_failed

    def kernel_sequence(self,
                        x_seq: Tensor,
                        backend: str,
                        temporal_grad: bool = True,
                        draw: Optional[StepDraw] = None) -> Tensor:
        # the kernels run on V - V_reset: rest is 0, the hard reset goes to 0
        threshold = self.v_threshold if self.v_reset == 0 else \
            self.v_threshold - self.v_reset
        return multistep_spikes(self.kernel_input(x_seq), threshold,
                                self.surrogate_alpha,
                                self.reset_mode == 'soft', self.detach_reset,
                                backend == 'compiled', self.leak_factor(),
                                temporal_grad, draw, self.inplace)

    def sltt_sequence(self, x_seq: Tensor, backend: str,
                      draw: Optional[StepDraw]) -> Tensor:
        """SLTT on the kernels: the same forward, a backward without the
        potential's path between steps (only the drawn steps' with
        SLTT-K)."""
        if backend == 'autograd':
            return super().sltt_sequence(x_seq, backend, draw)
        return self.kernel_sequence(x_seq, backend, False, draw)

    def extra_repr(self) -> str:
        reset = self.reset_mode if not self.v_reset else \
            f'{self.reset_mode}, v_reset={self.v_reset:g}'
        return (f'v_threshold={float(self.v_threshold):g}, reset_mode='
                f'{reset}, surrogate_alpha={self.surrogate_alpha:g}, '
                f'detach_reset={self.detach_reset}, ' + super().extra_repr())
