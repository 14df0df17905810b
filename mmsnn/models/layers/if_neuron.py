"""Integrate-and-fire neuron with an arctangent surrogate gradient."""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS
from spikingjelly.activation_based import surrogate
from spikingjelly.activation_based.base import MemoryModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from .if_multistep import if_multistep
from .time_folding import check_time_steps, fold_time, unfold_time

RESET_MODES = ('soft', 'hard')
BACKENDS = ('fused', 'compiled', 'autograd')


@MODELS.register_module()
class IFNeuron(MemoryModule):
    """Integrate-and-fire neuron (paper Eq. 1-3) trained with ATan (Eq. 4-5).

    .. math::
        V[t] = V[t-1] + I[t] - V_{th} s[t], \\quad s[t] = H(V[t^-] - V_{th})

    where ``V[t^-] = V[t-1] + I[t]`` is the potential after charging. With
    ``reset_mode='hard'`` the potential returns to 0 after a spike instead
    (the authors' released code). Backward uses the arctangent surrogate
    ``g'(x) = alpha / (2 (1 + (pi/2 alpha x)^2))`` (spikingjelly's
    ``surrogate.ATan``).

    Multi-step mode (``step_mode='m'``, the default) takes time folded into
    the batch, ``[T*B, ...]`` time-major, and returns spikes of the same
    shape; every call is a whole sequence that starts from rest, so no state
    survives a call and one neuron module may serve several layers.
    Single-step mode (``'s'``) takes one step ``[B, ...]`` and keeps the
    potential between calls until :meth:`reset` (the per-step reference path).

    It is a drop-in ``act_cfg`` for mmcv's ``ConvModule``:
    ``act_cfg=dict(type='IFNeuron')``.

    Args:
        v_threshold (float): Firing threshold ``V_th`` (> 0). Defaults to 1.0.
        reset_mode (str): ``'soft'`` (subtract ``V_th``, the paper) or
            ``'hard'`` (reset to 0). Defaults to ``'soft'``.
        surrogate_alpha (float): ``alpha`` of the ATan surrogate.
            Defaults to 2.0.
        detach_reset (bool): Stop gradients through the reset term.
            Defaults to False.
        learnable_threshold (bool): Make ``V_th`` a trainable parameter named
            ``v_threshold`` (``paramwise_cfg.custom_keys`` can give it its own
            weight decay, the paper's "upper bound parameter"). Defaults to
            False.
        time_steps (int): T, used to unfold ``[T*B, ...]`` in multi-step
            mode. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'fused'`` (one autograd node for all steps),
            ``'compiled'`` (the same node with its loops compiled by
            ``torch.compile`` into one kernel per direction: faster, costs
            a compilation of some seconds at first use; falls back to
            ``'fused'`` with a warning where compiling fails) or
            ``'autograd'`` (the plain per-step graph with spikingjelly's
            ``surrogate.ATan``; the reference). Defaults to ``'fused'``.
        inplace (bool, optional): Ignored; ``ConvModule`` passes it to every
            activation.
    """

    def __init__(self,
                 v_threshold: float = 1.0,
                 reset_mode: str = 'soft',
                 surrogate_alpha: float = 2.0,
                 detach_reset: bool = False,
                 learnable_threshold: bool = False,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'fused',
                 inplace: Optional[bool] = None) -> None:
        super().__init__()
        if not isinstance(v_threshold, (int, float)) or v_threshold <= 0:
            raise ConfigValueError('IFNeuron: v_threshold must be a positive '
                                   f'number, got {v_threshold!r}')
        if reset_mode not in RESET_MODES:
            raise ConfigValueError(f'IFNeuron: reset_mode must be one of '
                                   f'{RESET_MODES}, got {reset_mode!r}')
        if backend not in BACKENDS:
            raise ConfigValueError(f'IFNeuron: backend must be one of '
                                   f'{BACKENDS}, got {backend!r}')
        self.time_steps = check_time_steps(time_steps)
        self.reset_mode = reset_mode
        self.surrogate_alpha = float(surrogate_alpha)
        self.detach_reset = detach_reset
        self.backend = backend
        threshold = torch.tensor(float(v_threshold))
        if learnable_threshold:
            self.v_threshold = nn.Parameter(threshold)
        else:
            self.register_buffer('v_threshold', threshold, persistent=False)
        self.surrogate_function = surrogate.ATan(alpha=self.surrogate_alpha)
        self.register_memory('v', 0.)
        self.step_mode = step_mode

    def _step(self, x: Tensor, v: Union[Tensor, float]):
        """One step on the autograd graph: charge, fire, reset."""
        h = v + x
        spike = self.surrogate_function(h - self.v_threshold)
        s = spike.detach() if self.detach_reset else spike
        if self.reset_mode == 'soft':
            v = h - self.v_threshold * s
        else:
            v = h * (1 - s)
        return spike, v

    def single_step_forward(self, x: Tensor) -> Tensor:
        """One time step ``[B, ...]``; the potential persists in ``self.v``."""
        spike, self.v = self._step(x, self.v)
        return spike

    def multi_step_forward(self, x: Tensor) -> Tensor:
        """A whole sequence from rest: ``[T*B, ...] -> [T*B, ...]`` spikes."""
        x_seq = unfold_time(x, self.time_steps)
        if self.backend != 'autograd':
            return fold_time(
                if_multistep(x_seq, self.v_threshold, self.surrogate_alpha,
                             self.reset_mode == 'soft', self.detach_reset,
                             self.backend == 'compiled'))
        spikes, v = [], 0.
        for t in range(self.time_steps):
            spike, v = self._step(x_seq[t], v)
            spikes.append(spike)
        return torch.cat(spikes)

    def extra_repr(self) -> str:
        return (f'v_threshold={float(self.v_threshold):g}, reset_mode='
                f'{self.reset_mode}, '
                f'surrogate_alpha={self.surrogate_alpha:g}, '
                f'detach_reset={self.detach_reset}, time_steps='
                f'{self.time_steps}, step_mode={self.step_mode}, '
                f'backend={self.backend}')


# mmcv's ConvModule builds activations from mmengine's root registry, which
# sees mmdet's entries only under mmdet's default scope: register there too.
MMENGINE_MODELS.register_module(module=IFNeuron)
