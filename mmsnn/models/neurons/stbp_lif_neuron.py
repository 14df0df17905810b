"""The LIF neuron of STBP, tdBN and EMS-YOLO: multiplicative decay, hard
reset, strict threshold, rectangular surrogate."""
from typing import Optional, Tuple, Union

import torch
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from .base_neuron import BaseSpikingNeuron, check_positive, register_neuron
from .surrogates import rectangular_spike, rectangular_surrogate_grad


@register_neuron
class STBPLIFNeuron(BaseSpikingNeuron):
    """Leaky integrate-and-fire neuron as STBP (Wu et al., 2018) writes it,
    with EMS-YOLO's constants (``mem_update`` of its ``models/common.py``).

    .. math::
        h[t] = \\lambda V[t-1] + I[t], \\quad s[t] = H(h[t] - V_{th})
        \\ (\\text{fires on } h > V_{th}), \\quad V[t] = h[t] (1 - s[t])

    from ``V[-1] = 0``: the potential decays by ``lambda`` a step, the
    input is added undecayed and a spike resets the potential to 0. The
    reset is detached (``1 - s`` carries no gradient, as ``spike.detach()``
    there). Backward uses the rectangular surrogate
    ``g'(u) = 1(|u| < w) / (2 w)`` of ``u = h - V_th``
    (:mod:`~mmsnn.models.neurons.surrogates`).

    Defaults are EMS-YOLO's (and tdBN's): ``lambda = 0.25``,
    ``V_th = 0.5``, ``w = 0.5``. STBP itself used ``lambda = 0.2``.
    (As :class:`~mmsnn.models.neurons.LIFNeuron` with ``tau = 1 / (1 -
    lambda)``, ``decay_input=False``, ``reset_mode='hard'`` and
    ``detach_reset=True`` it would fire on ``h >= V_th`` and train with
    ATan; this neuron matches the released code exactly.)

    Args:
        decay (float): ``lambda``, in (0, 1]. Defaults to 0.25.
        v_threshold (float): ``V_th`` (finite, > 0). Defaults to 0.5.
        surrogate_width (float): ``w``, half-width of the surrogate window
            (finite, > 0; STBP's ``lens``). Defaults to 0.5.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` (``'fused'``), ``'fused'`` (all T steps in
            one autograd node that stores one tensor of the input's size)
            or ``'autograd'`` (the per-step graph, the reference).
            Defaults to ``'auto'``.
        inplace (bool, optional): Ignored (``ConvModule`` passes it).

    Shapes:
        ``[T*B, ...]`` currents -> ``[T*B, ...]`` 0/1 spikes (multi-step).
    """

    backends = ('fused', 'autograd')

    def __init__(self,
                 decay: float = 0.25,
                 v_threshold: float = 0.5,
                 surrogate_width: float = 0.5,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 inplace: Optional[bool] = None) -> None:
        name = type(self).__name__
        self.decay = check_positive(name, 'decay', decay)
        if self.decay > 1:
            raise ConfigValueError(
                f'{name}: decay must be in (0, 1] (the fraction of the '
                f'potential kept a step), got {decay!r}')
        self.v_threshold = check_positive(name, 'v_threshold', v_threshold)
        self.surrogate_width = check_positive(name, 'surrogate_width',
                                              surrogate_width)
        super().__init__(time_steps, step_mode, backend, 0., inplace)

    def neuronal_step(self, x: Tensor,
                      v: Union[Tensor, float]) -> Tuple[Tensor, Tensor]:
        h = v * self.decay + x
        spike = rectangular_spike(h - self.v_threshold, self.surrogate_width)
        return spike, h * (1 - spike.detach())

    def kernel_sequence(self, x_seq: Tensor, backend: str) -> Tensor:
        if torch.is_grad_enabled() and x_seq.requires_grad:
            return _STBPLIFSequence.apply(x_seq, self.decay, self.v_threshold,
                                          self.surrogate_width)
        return _stbp_forward(x_seq, self.decay, self.v_threshold)[0]

    def extra_repr(self) -> str:
        return (f'decay={self.decay:g}, v_threshold={self.v_threshold:g}, '
                f'surrogate_width={self.surrogate_width:g}, ' +
                super().extra_repr())


def _stbp_forward(x_seq: Tensor, decay: float,
                  v_threshold: float) -> Tuple[Tensor, Tensor]:
    """Spikes and charged potentials ``h[t]`` of ``[T, ...]`` currents."""
    spikes = torch.empty_like(x_seq)
    charged = torch.empty_like(x_seq)
    v = torch.zeros_like(x_seq[0])
    for t in range(x_seq.shape[0]):
        h = torch.add(v * decay, x_seq[t], out=charged[t])
        s = torch.gt(h, v_threshold, out=spikes[t])
        v = h * (1 - s)
    return spikes, charged


class _STBPLIFSequence(torch.autograd.Function):
    """All T steps of :class:`STBPLIFNeuron` in one node (backend
    ``'fused'``): backward runs backpropagation through time over the
    stored ``h[t]``,
    ``dL/dh[t] = dL/ds[t] g'(h[t] - V_th) + lambda (1 - s[t]) dL/dh[t+1]``.
    """

    @staticmethod
    def forward(ctx, x_seq: Tensor, decay: float, v_threshold: float,
                width: float) -> Tensor:
        spikes, charged = _stbp_forward(x_seq, decay, v_threshold)
        ctx.save_for_backward(charged)
        ctx.config = (decay, v_threshold, width)
        return spikes

    @staticmethod
    def backward(ctx, grad_spikes: Tensor):
        charged, = ctx.saved_tensors
        decay, v_threshold, width = ctx.config
        grad_x = torch.empty_like(charged)
        grad_next = torch.zeros_like(charged[0])  # dL/dh[t+1]
        for t in reversed(range(charged.shape[0])):
            u = charged[t] - v_threshold
            keep = (u <= 0).to(u.dtype)  # 1 - s[t]
            grad_next = torch.addcmul(
                grad_spikes[t] * rectangular_surrogate_grad(u, width),
                grad_next, keep * decay, out=grad_x[t])
        return grad_x, None, None, None
