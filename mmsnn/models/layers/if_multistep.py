"""All T steps of the IF neuron in one autograd node (the fused backends).

The recurrence (paper Eq. 1-3) and its backpropagation through time are
plain tensor code over ``[T, N]``: :func:`if_forward` and :func:`if_backward`.
:class:`IFMultiStep` runs them eagerly (backend ``'fused'``; the forward as
:func:`if_forward_eager`, the same arithmetic into preallocated outputs) or
compiled by ``torch.compile`` into one kernel per direction (backend
``'compiled'``), which reads and writes every element once instead of once
per elementwise op and step.
"""
import math
import warnings
from typing import Callable, Optional, Tuple

import torch
from torch import Tensor


def atan_surrogate_grad(x: Tensor, alpha: float) -> Tensor:
    """Paper Eq. 5: ``g'(x) = alpha / (2 (1 + (pi/2 * alpha * x)^2))``."""
    return alpha / (2 * (1 + (math.pi / 2 * alpha * x).square()))


def if_forward(x_seq: Tensor, v_threshold: Tensor, soft_reset: bool,
               keep_charged: bool = True) -> Tuple[Tensor, Optional[Tensor]]:
    """Charge, fire and reset over T steps from rest (paper Eq. 1-3).

    Args:
        x_seq (Tensor): Input currents ``I[t]``, ``[T, N]``.
        v_threshold (Tensor): ``V_th``, 0-dim (its dtype does not promote
            ``x_seq``'s: half inputs stay half).
        soft_reset (bool): Subtract ``V_th`` after a spike, else reset to 0.
        keep_charged (bool): Return the charged potentials (backward needs
            them; inference does not). Defaults to True.

    Returns:
        tuple[Tensor, Tensor | None]: Spikes ``s[t]`` and charged potentials
        ``h[t] = V[t-1] + I[t]`` (or None), both ``[T, N]`` of ``x_seq``'s
        dtype.
    """
    v = torch.zeros_like(x_seq[0])
    spikes, charged = [], []
    for t in range(x_seq.shape[0]):
        h = v + x_seq[t]
        s = (h >= v_threshold).to(h.dtype)  # H(h - Vth), Eq. 3
        v = h - v_threshold * s if soft_reset else h * (1 - s)
        spikes.append(s)
        charged.append(h)
    return torch.stack(spikes), torch.stack(charged) if keep_charged else None


def if_forward_eager(x_seq: Tensor, v_threshold: Tensor, soft_reset: bool,
                     keep_charged: bool = True
                     ) -> Tuple[Tensor, Optional[Tensor]]:
    """:func:`if_forward` for eager mode: the same arithmetic, written into
    preallocated outputs (no stacking copies, spikes written as floats)."""
    spikes = torch.empty_like(x_seq)
    charged = torch.empty_like(x_seq) if keep_charged else None
    v = torch.zeros_like(x_seq[0])
    for t in range(x_seq.shape[0]):
        h = torch.add(v, x_seq[t], out=charged[t] if keep_charged else None)
        s = torch.ge(h, v_threshold, out=spikes[t])
        v = h - v_threshold * s if soft_reset else h * (1 - s)
    return spikes, charged


def if_backward(h_seq: Tensor, grad_spikes: Tensor, v_threshold: Tensor,
                alpha: float, soft_reset: bool, detach_reset: bool,
                threshold_grad: bool) -> Tuple[Tensor, Optional[Tensor]]:
    """Backpropagation through time of :func:`if_forward`, ``dH/dx = g'``.

    With ``u = h - V_th`` and ``g' = atan_surrogate_grad(u)``, the potential
    after reset is ``V = h - V_th s`` (soft) or ``V = h (1 - s)`` (hard);
    ``detach_reset`` drops the surrogate path through ``s`` in the reset.

    Args:
        h_seq (Tensor): Charged potentials saved by :func:`if_forward`,
            ``[T, N]``.
        grad_spikes (Tensor): ``dL/ds[t]``, ``[T, N]``.
        v_threshold (Tensor): ``V_th``, 0-dim.
        alpha (float): ATan surrogate's alpha.
        soft_reset (bool): As in :func:`if_forward`.
        detach_reset (bool): Stop gradients through the reset term.
        threshold_grad (bool): Also return ``dL/dV_th`` (accumulated in
            float32 at least, so that half precision does not overflow).

    Returns:
        tuple[Tensor, Tensor | None]: ``dL/dI[t]`` (``[T, N]``) and
        ``dL/dV_th`` (0-dim, float32 or float64) or None.
    """
    grad_v = torch.zeros_like(h_seq[0])  # dL/dV[t], from step t+1
    # at least float32: a sum over every neuron overflows half precision
    acc_dtype = torch.promote_types(h_seq.dtype, torch.float32)
    grad_th = torch.zeros_like(h_seq[0], dtype=acc_dtype) \
        if threshold_grad else None
    grads = []
    for t in reversed(range(h_seq.shape[0])):
        h, grad_s = h_seq[t], grad_spikes[t]
        sg = atan_surrogate_grad(h - v_threshold, alpha)
        # dL/dh = dL/ds g' + dL/dV dV/dh, factored to save operations
        if soft_reset and detach_reset:  # dV/dh = 1
            grad_h = grad_s * sg + grad_v
        elif soft_reset:  # dV/dh = 1 - Vth g'
            grad_h = grad_v + sg * (grad_s - v_threshold * grad_v)
        else:
            keep = 1 - (h >= v_threshold).to(h.dtype)
            if detach_reset:  # dV/dh = 1 - s
                grad_h = grad_s * sg + grad_v * keep
            else:  # dV/dh = (1 - s) - h g'
                grad_h = grad_v * keep + sg * (grad_s - h * grad_v)
        if threshold_grad:
            # ds/dVth = -g'; dV/dVth = -s + Vth g' (soft), h g' (hard),
            # without the g' terms when the reset is detached
            s = (h >= v_threshold).to(h.dtype)
            if soft_reset:
                dv_dth = -s if detach_reset else v_threshold * sg - s
            else:
                dv_dth = torch.zeros_like(h) if detach_reset else h * sg
            grad_th = grad_th + (grad_v * dv_dth - grad_s * sg).to(acc_dtype)
        grads.append(grad_h)
        grad_v = grad_h  # h[t] = V[t-1] + I[t]
    grad_x = torch.stack(grads[::-1])
    return grad_x, None if grad_th is None else grad_th.sum()


class _Kernels:
    """The kernels, eager or ``torch.compile``-d (compiled once a process)."""

    eager = (if_forward_eager, if_backward)
    traceable = (if_forward, if_backward)
    compiled: Optional[Tuple[Callable, Callable]] = None
    compile_failed: Optional[str] = None

    @classmethod
    def run(cls, compile: bool, which: int, *args):
        """Run kernel ``which`` (0: forward, 1: backward) on ``args``."""
        if not compile or cls.compile_failed:
            return cls.eager[which](*args)
        if cls.compiled is None:
            # dynamic: one graph serves every layer's N; T is specialised
            # and the loop over it unrolled into one kernel
            cls.compiled = tuple(
                torch.compile(fn, dynamic=True, fullgraph=True)
                for fn in cls.traceable)
        try:
            return cls.compiled[which](*args)
        except Exception as e:  # no C++ compiler / Triton: stay correct
            cls.compile_failed = f'{type(e).__name__}: {e}'.splitlines()[0]
            warnings.warn('IFNeuron backend="compiled": torch.compile failed '
                          f'({cls.compile_failed}); using the eager fused '
                          'kernels (same results, slower).')
            return cls.eager[which](*args)


class IFMultiStep(torch.autograd.Function):
    """All T steps of the IF neuron in one autograd node.

    Forward runs paper Eq. 1-3 without building a graph and keeps only the
    charged potential ``h[t] = V[t-1] + I[t]`` of every step; backward runs
    backpropagation through time over those. This stores one tensor of the
    input's size instead of the half dozen that autograd keeps per step, and
    its gradients equal the autograd path's (tested). Inputs may be float16
    or bfloat16 (autocast): spikes and gradients keep the input's dtype, the
    threshold's gradient is accumulated in float32 (at least) and returned
    in the threshold's dtype.

    Args of :meth:`apply`: ``x_seq`` ``[T, ...]``, ``v_threshold`` (0-dim),
    ``alpha``, ``soft_reset``, ``detach_reset``, ``compile`` (use the
    ``torch.compile``-d kernels).
    """

    @staticmethod
    def forward(ctx, x_seq: Tensor, v_threshold: Tensor, alpha: float,
                soft_reset: bool, detach_reset: bool,
                compile: bool = False) -> Tensor:
        shape = x_seq.shape
        spikes, h_seq = _Kernels.run(compile, 0,
                                     x_seq.reshape(shape[0], -1),
                                     v_threshold.detach(), soft_reset)
        ctx.save_for_backward(h_seq, v_threshold)
        ctx.config = (alpha, soft_reset, detach_reset, compile)
        return spikes.view(shape)

    @staticmethod
    def backward(ctx, grad_spikes: Tensor):
        h_seq, v_threshold = ctx.saved_tensors
        alpha, soft_reset, detach_reset, compile = ctx.config
        threshold_grad = ctx.needs_input_grad[1]
        # autograd hands gradients in the output's dtype; make sure anyway,
        # since mixing dtypes in the kernels would silently upcast
        grad_flat = grad_spikes.reshape(h_seq.shape).to(h_seq.dtype)
        grad_x, grad_th = _Kernels.run(compile, 1, h_seq, grad_flat,
                                       v_threshold.detach(), alpha,
                                       soft_reset, detach_reset,
                                       threshold_grad)
        grad_x = grad_x.view(grad_spikes.shape)
        if grad_th is not None:
            grad_th = grad_th.to(v_threshold.dtype).reshape(v_threshold.shape)
        return grad_x, grad_th, None, None, None, None


def if_multistep(x_seq: Tensor,
                 v_threshold: Tensor,
                 alpha: float,
                 soft_reset: bool,
                 detach_reset: bool,
                 compile: bool = False) -> Tensor:
    """IF neuron over a whole sequence from rest: spikes of ``x_seq``.

    Builds the :class:`IFMultiStep` node when a gradient is needed; under
    ``torch.no_grad`` (or for inputs without grad) runs the forward kernel
    alone, which then does not store the charged potentials.

    Args:
        x_seq (Tensor): Input currents, ``[T, ...]``.
        v_threshold (Tensor): ``V_th``, 0-dim (may be a parameter).
        alpha (float): ATan surrogate's alpha.
        soft_reset (bool): Reset by subtraction, else to 0.
        detach_reset (bool): Stop gradients through the reset term.
        compile (bool): Use the ``torch.compile``-d kernels.
            Defaults to False.

    Returns:
        Tensor: Spikes, shape and dtype of ``x_seq``.
    """
    if torch.is_grad_enabled() and (x_seq.requires_grad
                                    or v_threshold.requires_grad):
        return IFMultiStep.apply(x_seq, v_threshold, alpha, soft_reset,
                                 detach_reset, compile)
    spikes, _ = _Kernels.run(compile, 0, x_seq.reshape(x_seq.shape[0], -1),
                             v_threshold, soft_reset, False)
    return spikes.view(x_seq.shape)
