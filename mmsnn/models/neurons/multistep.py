"""All T steps of an (L)IF neuron in one autograd node (the fused backends).

The recurrence and its backpropagation through time are plain tensor code
over ``[T, N]``: :func:`neuron_forward` and :func:`neuron_backward`. With a
leak factor ``k`` (LIF: ``k = 1 - 1/tau``; IF: no leak, ``k = 1``) a step is

.. math::
    h[t] = k V[t-1] + I[t], \\quad s[t] = H(h[t] - V_{th}), \\quad
    V[t] = h[t] - V_{th} s[t] \\ \\text{(soft)} \\ \\text{or} \\
    h[t] (1 - s[t]) \\ \\text{(hard)}

from ``V[-1] = 0`` (paper Eq. 1-3 for ``k = 1``). LIF's input scaling
(``decay_input``) and a non-zero reset potential are applied by the caller
(:class:`~mmsnn.models.neurons.LIFNeuron`), which keeps this kernel small.

:class:`NeuronMultiStep` runs the kernels eagerly (backend ``'fused'``; the
forward as :func:`neuron_forward_eager`, the same arithmetic into
preallocated outputs) or compiled by ``torch.compile`` into one kernel per
direction (backend ``'compiled'``), which reads and writes every element
once instead of once per elementwise op and step.
"""
import math
import warnings
from functools import partial
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch.utils._python_dispatch import is_in_torch_dispatch_mode

from ..cpu_kernels import drawn_steps_grad_cpu, spikes_cpu
from .bptt_mode import scatter_steps, select_steps


def atan_surrogate_grad(x: Tensor, alpha: float) -> Tensor:
    """Paper Eq. 5: ``g'(x) = alpha / (2 (1 + (pi/2 * alpha * x)^2))``."""
    return alpha / (2 * (1 + (math.pi / 2 * alpha * x).square()))


def _after_reset(h: Tensor, s: Tensor, v_threshold: Tensor,
                 soft_reset: bool) -> Tensor:
    """``V[t]`` from the charged potential ``h[t]`` and the spike ``s[t]``."""
    return h - v_threshold * s if soft_reset else h * (1 - s)


def neuron_forward(x_seq: Tensor,
                   v_threshold: Tensor,
                   soft_reset: bool,
                   keep_charged: bool = True,
                   leak: Optional[Tensor] = None
                   ) -> Tuple[Tensor, Optional[Tensor]]:
    """Charge, fire and reset over T steps from rest.

    Args:
        x_seq (Tensor): Input currents ``I[t]``, ``[T, N]``.
        v_threshold (Tensor): ``V_th``, 0-dim (its dtype does not promote
            ``x_seq``'s: half inputs stay half).
        soft_reset (bool): Subtract ``V_th`` after a spike, else reset to 0.
        keep_charged (bool): Return the charged potentials (backward needs
            them; inference does not). Defaults to True.
        leak (Tensor, optional): Leak factor ``k``, 0-dim; None for none
            (IF). Defaults to None.

    Returns:
        tuple[Tensor, Tensor | None]: Spikes ``s[t]`` and charged potentials
        ``h[t] = k V[t-1] + I[t]`` (or None), both ``[T, N]`` of ``x_seq``'s
        dtype.
    """
    spikes, charged = charge_and_fire(x_seq, v_threshold, soft_reset, leak)
    return torch.stack(spikes), torch.stack(charged) if keep_charged else None


def charge_and_fire(x_seq: Tensor,
                    v_threshold: Tensor,
                    soft_reset: bool,
                    leak: Optional[Tensor] = None
                    ) -> Tuple[List[Tensor], List[Tensor]]:
    """:func:`neuron_forward`'s recurrence: spikes and charged potentials
    of every step, as lists of ``[N]`` tensors (traced, a list is not
    materialised as a ``[T, N]`` buffer)."""
    v = torch.zeros_like(x_seq[0])
    spikes, charged = [], []
    for t in range(x_seq.shape[0]):
        h = (v if leak is None else leak * v) + x_seq[t]
        s = (h >= v_threshold).to(h.dtype)  # H(h - Vth), Eq. 3
        v = _after_reset(h, s, v_threshold, soft_reset)
        spikes.append(s)
        charged.append(h)
    return spikes, charged


def charged_steps(x_seq: Tensor,
                  v_threshold: Tensor,
                  soft_reset: bool,
                  leak: Optional[Tensor] = None) -> List[Tensor]:
    """The charged potentials ``h[t]`` of :func:`charge_and_fire`."""
    return charge_and_fire(x_seq, v_threshold, soft_reset, leak)[1]


def charged_steps_eager(x_seq: Tensor,
                        v_threshold: Tensor,
                        soft_reset: bool,
                        leak: Optional[Tensor] = None) -> Tensor:
    """The charged potentials of :func:`neuron_forward_eager`,
    ``[T, N]``."""
    return neuron_forward_eager(x_seq, v_threshold, soft_reset, True, leak)[1]


def neuron_forward_eager(x_seq: Tensor,
                         v_threshold: Tensor,
                         soft_reset: bool,
                         keep_charged: bool = True,
                         leak: Optional[Tensor] = None
                         ) -> Tuple[Tensor, Optional[Tensor]]:
    """:func:`neuron_forward` for eager mode: the same arithmetic, written
    into preallocated outputs (no stacking copies, spikes written as
    floats)."""
    spikes = torch.empty_like(x_seq)
    charged = torch.empty_like(x_seq) if keep_charged else None
    v = torch.zeros_like(x_seq[0])
    for t in range(x_seq.shape[0]):
        out = charged[t] if keep_charged else None
        if leak is None:
            h = torch.add(v, x_seq[t], out=out)
        else:
            h = torch.addcmul(x_seq[t], v, leak, out=out)
        s = torch.ge(h, v_threshold, out=spikes[t])
        v = _after_reset(h, s, v_threshold, soft_reset)
    return spikes, charged


def neuron_backward(h_seq: Sequence[Tensor],
                    grad_spikes: Tensor,
                    v_threshold: Tensor,
                    alpha: float,
                    soft_reset: bool,
                    detach_reset: bool,
                    threshold_grad: bool,
                    leak: Optional[Tensor] = None,
                    leak_grad: bool = False
                    ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
    """Backpropagation through time of :func:`neuron_forward`, ``dH/dx = g'``.

    With ``u = h - V_th`` and ``g' = atan_surrogate_grad(u)``, the potential
    after reset is ``V = h - V_th s`` (soft) or ``V = h (1 - s)`` (hard);
    ``detach_reset`` drops the surrogate path through ``s`` in the reset.
    ``dL/dV[t-1] = k dL/dh[t]``, and ``dL/dk = sum_t dL/dh[t] V[t-1]`` with
    ``V[t-1]`` recomputed from ``h[t-1]``.

    Args:
        h_seq (Sequence[Tensor]): Charged potentials ``h[t]`` of
            :func:`neuron_forward`, ``[T, N]`` (or a list of T ``[N]``).
        grad_spikes (Tensor): ``dL/ds[t]``, ``[T, N]``.
        v_threshold (Tensor): ``V_th``, 0-dim.
        alpha (float): ATan surrogate's alpha.
        soft_reset (bool): As in :func:`neuron_forward`.
        detach_reset (bool): Stop gradients through the reset term.
        threshold_grad (bool): Also return ``dL/dV_th`` (accumulated in
            float32 at least, so that half precision does not overflow).
        leak (Tensor, optional): Leak factor ``k``, 0-dim; None for none.
            Defaults to None.
        leak_grad (bool): Also return ``dL/dk`` (accumulated as
            ``dL/dV_th``). Defaults to False.

    Returns:
        tuple[Tensor, Tensor | None, Tensor | None]: ``dL/dI[t]``
        (``[T, N]``), ``dL/dV_th`` and ``dL/dk`` (0-dim, float32 or float64)
        or None.
    """
    grad_v = torch.zeros_like(h_seq[0])  # dL/dV[t], from step t+1
    # at least float32: a sum over every neuron overflows half precision
    acc_dtype = torch.promote_types(h_seq[0].dtype, torch.float32)
    grad_th = torch.zeros_like(h_seq[0], dtype=acc_dtype) \
        if threshold_grad else None
    grad_k = torch.zeros_like(h_seq[0], dtype=acc_dtype) \
        if leak_grad else None
    grads = []
    for t in reversed(range(len(h_seq))):
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
        if leak_grad and t > 0:
            h_prev = h_seq[t - 1]
            v_prev = _after_reset(h_prev, (h_prev >= v_threshold).to(
                h_prev.dtype), v_threshold, soft_reset)
            grad_k = grad_k + (grad_h * v_prev).to(acc_dtype)
        grads.append(grad_h)
        # h[t] = k V[t-1] + I[t]
        grad_v = grad_h if leak is None else grad_h * leak
    grad_x = torch.stack(grads[::-1])
    return (grad_x, None if grad_th is None else grad_th.sum(),
            None if grad_k is None else grad_k.sum())


def neuron_backward_local(h_seq: Sequence[Tensor],
                          grad_spikes: Tensor,
                          v_threshold: Tensor,
                          alpha: float,
                          soft_reset: bool,
                          threshold_grad: bool,
                          h_prev: Optional[Sequence[Tensor]] = None
                          ) -> Tuple[Tensor, Optional[Tensor],
                                     Optional[Tensor]]:
    """The backward of :func:`neuron_forward` with the potential detached
    between steps (SLTT): no recurrence, each step on its own.

    Every ``V[t-1]`` enters step ``t`` as a constant, so ``dL/dh[t] =
    dL/ds[t] g'`` whatever the reset, ``dL/dV_th = -sum_t dL/ds[t] g'`` and
    ``dL/dk = sum_t dL/dh[t] V[t-1]``. The steps may be any subset of a
    sequence (SLTT-K): ``h_prev`` then holds ``h[t-1]`` of each one (zeros
    for ``t = 0``, which gives ``V[-1] = 0``).

    Args:
        h_seq (Sequence[Tensor]): Charged potentials of the steps,
            ``[K, N]`` (or a list of K ``[N]``).
        grad_spikes (Tensor): ``dL/ds`` of the steps, ``[K, N]``.
        v_threshold (Tensor): ``V_th``, 0-dim.
        alpha (float): ATan surrogate's alpha.
        soft_reset (bool): As in :func:`neuron_forward` (for ``V[t-1]``).
        threshold_grad (bool): Also return ``dL/dV_th`` (accumulated in
            float32 at least).
        h_prev (Sequence[Tensor], optional): ``h[t-1]`` of each step, like
            ``h_seq``, to return ``dL/dk``; None for no leak gradient.

    Returns:
        tuple[Tensor, Tensor | None, Tensor | None]: ``dL/dI`` (``[K, N]``),
        ``dL/dV_th`` and ``dL/dk`` (0-dim) or None.
    """
    acc_dtype = torch.promote_types(h_seq[0].dtype, torch.float32)
    grads = [grad_spikes[t] * atan_surrogate_grad(h_seq[t] - v_threshold,
                                                  alpha)
             for t in range(len(h_seq))]
    grad_h = torch.stack(grads)
    grad_th = -grad_h.sum(dtype=acc_dtype) if threshold_grad else None
    grad_k = None
    if h_prev is not None:
        grad_k = sum(
            (grad * _after_reset(h, (h >= v_threshold).to(h.dtype),
                                 v_threshold, soft_reset)).sum(
                                     dtype=acc_dtype)
            for grad, h in zip(grads, h_prev))
    return grad_h, grad_th, grad_k


def recomputed_backward(charged: Callable,
                        x_seq: Tensor,
                        grad_spikes: Tensor,
                        v_threshold: Tensor,
                        alpha: float,
                        soft_reset: bool,
                        detach_reset: bool,
                        threshold_grad: bool,
                        leak: Optional[Tensor] = None,
                        leak_grad: bool = False,
                        temporal_grad: bool = True
                        ) -> Tuple[Tensor, Optional[Tensor],
                                   Optional[Tensor]]:
    """The backward from the input currents: the charged potentials
    recomputed by ``charged``, then :func:`neuron_backward` (BPTT) or
    :func:`neuron_backward_local` (SLTT).

    Storing the input instead of the potentials saves the forward pass a
    write of ``[T, N]`` (the input is there anyway); compiled, the
    recomputation fuses into the backward's one pass over the elements.

    Args:
        charged (Callable): :func:`charged_steps` or
            :func:`charged_steps_eager`, ``(x_seq, v_threshold, soft_reset,
            leak)`` to ``h[t]`` (the arithmetic of the forward pass, so the
            same spikes).
        x_seq (Tensor): Input currents, ``[T, N]``.
        grad_spikes (Tensor): ``dL/ds[t]``, ``[T, N]``.
        v_threshold, alpha, soft_reset, detach_reset, threshold_grad,
            leak, leak_grad: As in :func:`neuron_backward`.
        temporal_grad (bool): BPTT; False: SLTT (the potential enters
            every step detached). Defaults to True.

    Returns:
        tuple[Tensor, Tensor | None, Tensor | None]: ``dL/dI[t]``
        (``[T, N]``), ``dL/dV_th`` and ``dL/dk`` or None.
    """
    h_seq = list(charged(x_seq, v_threshold, soft_reset, leak))
    if temporal_grad:
        return neuron_backward(h_seq, grad_spikes, v_threshold, alpha,
                               soft_reset, detach_reset, threshold_grad,
                               leak, leak_grad)
    h_prev = [torch.zeros_like(h_seq[0])] + h_seq[:-1] if leak_grad else None
    return neuron_backward_local(h_seq, grad_spikes, v_threshold, alpha,
                                 soft_reset, threshold_grad, h_prev)


#: Inductor options of the compiled kernels. ``cpp.dynamic_threads``: the
#: CPU kernel always has an OpenMP parallel loop, whatever N the first call
#: had; otherwise a first call with a small N (a test, a tiny model) compiles
#: a serial kernel, and Inductor's cache hands it to every later process.
COMPILE_OPTIONS = {'cpp.dynamic_threads': True}


class _Kernels:
    """The kernels, eager or ``torch.compile``-d (compiled once a process):
    forward, backward from the inputs (BPTT or SLTT), and the local
    backward of SLTT-K's drawn steps."""

    eager = (neuron_forward_eager,
             partial(recomputed_backward, charged_steps_eager),
             neuron_backward_local)
    traceable = (neuron_forward,
                 partial(recomputed_backward, charged_steps),
                 neuron_backward_local)
    compiled: Optional[Tuple[Callable, ...]] = None
    compile_failed: Optional[str] = None

    @classmethod
    def run(cls, compile: bool, which: int, *args):
        """Run kernel ``which`` (0: forward, 1: backward from the inputs,
        2: local backward of given steps) on ``args``."""
        # Under a dispatch mode (op counting: SpikeOpAnalyzer) dynamo finds
        # no frame to compile; that is no failure of the compiler.
        if not compile or cls.compile_failed or is_in_torch_dispatch_mode():
            return cls.eager[which](*args)
        if cls.compiled is None:
            # dynamic: one graph serves every layer's N; T is specialised
            # and the loop over it unrolled into one kernel
            cls.compiled = tuple(
                torch.compile(fn, dynamic=True, fullgraph=True,
                              options=COMPILE_OPTIONS)
                for fn in cls.traceable)
        try:
            return cls.compiled[which](*args)
        except Exception as e:  # no C++ compiler / Triton: stay correct
            cls.compile_failed = f'{type(e).__name__}: {e}'.splitlines()[0]
            warnings.warn('neuron backend "compiled": torch.compile failed '
                          f'({cls.compile_failed}); using the eager fused '
                          'kernels (same results, slower).')
            return cls.eager[which](*args)


class NeuronMultiStep(torch.autograd.Function):
    """All T steps of an (L)IF neuron in one autograd node.

    Forward runs the recurrence without building a graph and keeps only its
    input ``I[t]``; backward recomputes the charged potentials ``h[t]`` and
    runs backpropagation through time over them
    (:func:`recomputed_backward`). This stores one tensor of the input's
    size instead of the half dozen that autograd keeps per step, and its
    gradients equal the autograd path's (tested). Inputs may be float16 or
    bfloat16 (autocast): spikes and gradients keep the input's dtype, the
    threshold's (and leak's) gradient is accumulated in float32 (at least)
    and returned in the threshold's (leak's) dtype.

    With ``temporal_grad=False`` (SLTT) the backward cuts the potential's
    path from step to step (:func:`neuron_backward_local`); with
    ``grad_steps`` as well (SLTT-K) only those steps' charged potentials
    are kept (K / T of the input's size) and back-propagate, the others'
    input gradient is zero. The forward is the same in every case.

    Args of :meth:`apply`: ``x_seq`` ``[T, ...]``, ``v_threshold`` (0-dim),
    ``alpha``, ``soft_reset``, ``detach_reset``, ``compile`` (use the
    ``torch.compile``-d kernels), ``leak`` (0-dim or None),
    ``temporal_grad`` (bool), ``grad_steps`` (a
    :class:`~mmsnn.models.neurons.bptt_mode.StepDraw` or None).
    """

    @staticmethod
    def forward(ctx,
                x_seq: Tensor,
                v_threshold: Tensor,
                alpha: float,
                soft_reset: bool,
                detach_reset: bool,
                compile: bool = False,
                leak: Optional[Tensor] = None,
                temporal_grad: bool = True,
                grad_steps=None) -> Tensor:
        shape = x_seq.shape
        k = None if leak is None else leak.detach()
        x_flat = x_seq.reshape(shape[0], -1)
        drawn = grad_steps is not None
        prev = drawn and leak is not None and leak.requires_grad  # dL/dk
        ctx.config = (alpha, soft_reset, detach_reset, compile,
                      temporal_grad, grad_steps)
        # SLTT-K on CPU: the C++ forward writes only the drawn steps'
        # potentials (the compiled one, faster alone, writes all T)
        on_cpu = spikes_cpu(x_flat, v_threshold.detach(), soft_reset, k,
                            steps=grad_steps.steps,
                            prev=prev) if compile and drawn else None
        if on_cpu is not None:
            spikes, h_sel, h_prev = on_cpu
        else:
            spikes, h_seq = _Kernels.run(compile, 0, x_flat,
                                         v_threshold.detach(), soft_reset,
                                         drawn, k)
            if drawn:
                h_sel = select_steps(h_seq, grad_steps)
                h_prev = select_steps(torch.cat(
                    [torch.zeros_like(h_seq[:1]), h_seq[:-1]]),
                                      grad_steps) if prev else None
        if drawn:
            ctx.save_for_backward(h_sel, v_threshold, leak, h_prev)
        else:
            ctx.save_for_backward(x_flat, v_threshold, leak)
        return spikes.view(shape)

    @staticmethod
    def backward(ctx, grad_spikes: Tensor):
        (alpha, soft_reset, detach_reset, compile, temporal_grad,
         grad_steps) = ctx.config
        saved, v_threshold, leak = ctx.saved_tensors[:3]
        threshold_grad = ctx.needs_input_grad[1]
        leak_grad = leak is not None and ctx.needs_input_grad[6]
        # autograd hands gradients in the output's dtype; make sure anyway,
        # since mixing dtypes in the kernels would silently upcast
        grad_flat = grad_spikes.reshape(grad_spikes.shape[0], -1).to(
            saved.dtype)
        if compile and grad_steps is not None and not threshold_grad \
                and not leak_grad:  # one pass: select, backward, scatter
            on_cpu = drawn_steps_grad_cpu(saved, grad_flat, grad_steps.steps,
                                          v_threshold.detach(), alpha)
            if on_cpu is not None:
                return (on_cpu.view(grad_spikes.shape), ) + (None, ) * 8
        if grad_steps is None:  # saved: the inputs
            grad_x, grad_th, grad_k = _Kernels.run(
                compile, 1, saved, grad_flat, v_threshold.detach(), alpha,
                soft_reset, detach_reset, threshold_grad,
                None if leak is None else leak.detach(), leak_grad,
                temporal_grad)
        else:  # saved: the drawn steps' charged potentials
            grad_x, grad_th, grad_k = _Kernels.run(
                compile, 2, saved, select_steps(grad_flat, grad_steps),
                v_threshold.detach(), alpha, soft_reset, threshold_grad,
                ctx.saved_tensors[3] if leak_grad else None)
            grad_x = scatter_steps(grad_x, grad_steps)
        grad_x = grad_x.view(grad_spikes.shape)
        if grad_th is not None:
            grad_th = grad_th.to(v_threshold.dtype).reshape(v_threshold.shape)
        if grad_k is not None:
            grad_k = grad_k.to(leak.dtype).reshape(leak.shape)
        return grad_x, grad_th, None, None, None, None, grad_k, None, None


def multistep_spikes(x_seq: Tensor,
                     v_threshold: Tensor,
                     alpha: float,
                     soft_reset: bool,
                     detach_reset: bool,
                     compile: bool = False,
                     leak: Optional[Tensor] = None,
                     temporal_grad: bool = True,
                     grad_steps=None,
                     inplace: bool = False) -> Tensor:
    """An (L)IF neuron over a whole sequence from rest: spikes of ``x_seq``.

    Builds the :class:`NeuronMultiStep` node when a gradient is needed;
    under ``torch.no_grad`` (or for inputs without grad) runs the forward
    kernel alone, which then does not store the charged potentials; with
    ``compile`` on CPU that is the C++ kernel of
    :mod:`~mmsnn.models.cpu_kernels`, in place if ``inplace``.

    Args:
        x_seq (Tensor): Input currents, ``[T, ...]``.
        v_threshold (Tensor): ``V_th``, 0-dim (may be a parameter).
        alpha (float): ATan surrogate's alpha.
        soft_reset (bool): Reset by subtraction, else to 0.
        detach_reset (bool): Stop gradients through the reset term.
        compile (bool): Use the ``torch.compile``-d kernels.
            Defaults to False.
        leak (Tensor, optional): Leak factor ``k`` (0-dim, may require
            grad, e.g. PLIF's ``1 - sigmoid(w)``); None for IF.
            Defaults to None.
        temporal_grad (bool): Back-propagate through time; False cuts the
            potential's path between steps (SLTT). Defaults to True.
        grad_steps (StepDraw, optional): With ``temporal_grad=False``, the
            only steps that back-propagate (SLTT-K); None for all.
        inplace (bool): Under ``torch.no_grad`` (or inference mode), the
            spikes may overwrite ``x_seq`` (see :func:`spikes_cpu`).
            Defaults to False.

    Returns:
        Tensor: Spikes, shape and dtype of ``x_seq``.
    """
    needs_grad = x_seq.requires_grad or v_threshold.requires_grad or (
        leak is not None and leak.requires_grad)
    if torch.is_grad_enabled() and needs_grad:
        if temporal_grad:
            return NeuronMultiStep.apply(x_seq, v_threshold, alpha,
                                         soft_reset, detach_reset, compile,
                                         leak)
        return NeuronMultiStep.apply(x_seq, v_threshold, alpha, soft_reset,
                                     detach_reset, compile, leak, False,
                                     grad_steps)
    k = None if leak is None else leak.detach()
    # in place only without autograd: a tensor that needs no gradient may
    # still be saved by a node that computes another's
    on_cpu = spikes_cpu(x_seq, v_threshold, soft_reset, k,
                        inplace and not torch.is_grad_enabled()) \
        if compile else None
    if on_cpu is not None:
        return on_cpu[0]
    spikes, _ = _Kernels.run(compile, 0, x_seq.reshape(x_seq.shape[0], -1),
                             v_threshold, soft_reset, False, k)
    return spikes.view(x_seq.shape)
