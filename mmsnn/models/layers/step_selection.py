"""Convolutions and BatchNorms that back-propagate only the drawn time steps.

With time folded into the batch (``[T*B, ...]``, rows ``t*B:(t+1)*B`` are
step ``t``) a stateless layer serves all T steps in one call. For SLTT-K
(``model.bptt=dict(mode='sltt', k=K)``) each convolution and BatchNorm of
the spiking parts then runs as one autograd node that

* computes its forward on all rows in one call, by the module's own code,
  so outputs, BatchNorm's batch statistics (over all ``T x B`` samples) and
  its running statistics (updated once) are BPTT's, bit for bit;
* keeps for backward only the rows of the K drawn steps, and back-propagates
  only those: the rows of the other steps are constants of the forward, so
  their output gradient is dropped and their input gradient is zero. The
  backward of each such layer does K/T of BPTT's work (input and weight
  gradients from ``K*B`` rows) and holds K/T of its activations.

For BatchNorm with batch statistics this is the gradient of the layer with
the other steps' inputs held constant: for the drawn rows ``i``,
``dx_i = w / sigma (g_i - sum_j g_j / n - x^_i sum_j g_j x^_j / n)`` with
the sums over the drawn rows and ``n`` the count of all ``T x B`` samples.

:func:`apply_bptt_mode` gives a model its training mode: the mode to every
module with a membrane, these layers to the convolutions and BatchNorms
inside its spiking parts (owners of T) when the mode draws steps.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor
from torch.autograd import Function
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

from ...utils.input_error import ConfigValueError
from ..cpu_kernels import channel_stats_cpu
from ..neurons.bptt_mode import (BPTTMode, StepDraw, scatter_steps,
                                 select_steps)
from ..neurons.neuron_utils import membrane_modules
from ..time.owner import TimeStepsMixin

#: The layer classes whose forward the selecting nodes run and
#: differentiate (their subclasses must keep that forward).
CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
BATCH_NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _select_rows(x: Tensor, draw: StepDraw) -> Tensor:
    """``[T*B, ...] -> [K*B, ...]``, the drawn steps' rows."""
    return select_steps(x.unflatten(0, (draw.time_steps, -1)),
                        draw).flatten(0, 1)


def _scatter_rows(x_sel: Tensor, draw: StepDraw) -> Tensor:
    """``[K*B, ...] -> [T*B, ...]`` with zero rows at the other steps."""
    return scatter_steps(x_sel.unflatten(0, (len(draw.steps), -1)),
                         draw).flatten(0, 1)


def _batch_stats(x: Tensor) -> Tuple[Tensor, Tensor]:
    """Biased variance and mean of every channel of ``x`` ``[N, C, ...]``
    (float32 at least): on CPU the C++ kernel, else a sum, then a sum of
    squared deviations. As precise as ``torch.var_mean`` (or more), whose
    reduction over the non-adjacent dimensions ``(0, 2, ...)`` is several
    times slower on CPU."""
    on_cpu = channel_stats_cpu(x)
    if on_cpu is not None:
        return on_cpu
    dims = [0] + list(range(2, x.dim()))
    count = x.numel() // x.shape[1]
    x = x.to(torch.promote_types(x.dtype, torch.float32))
    mean = x.sum(dims) / count
    dev = x - mean.view([1, -1] + [1] * (x.dim() - 2))
    return dev.mul_(dev).sum(dims) / count, mean


def _grads(needs, *grads):
    """Each gradient where its input needs one, else None."""
    return tuple(g if need else None for need, g in zip(needs, grads))


class DrawnStepsConv(Function):
    """A convolution whose backward covers only the drawn steps' rows.

    Args of :meth:`apply`: ``x`` ``[T*B, C, ...]``, the module's ``weight``
    and ``bias`` (for autograd's bookkeeping), the module, the
    :class:`StepDraw`.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Optional[Tensor],
                conv: _ConvNd, draw: StepDraw) -> Tensor:
        out = type(conv).forward(conv, x)
        ctx.conv, ctx.draw, ctx.out_dtype = conv, draw, out.dtype
        ctx.has_bias = bias is not None
        ctx.save_for_backward(_select_rows(x, draw), weight)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x_sel, weight = ctx.saved_tensors
        conv, draw, dtype = ctx.conv, ctx.draw, ctx.out_dtype
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        # the forward may have run under autocast: differentiate it in the
        # dtype it computed in, return each gradient in its input's dtype
        grad_x, grad_w, grad_b = torch.ops.aten.convolution_backward(
            _select_rows(grad_out, draw).to(dtype), x_sel.to(dtype),
            weight.to(dtype),
            [conv.out_channels] if ctx.has_bias else None, conv.stride,
            conv.padding, conv.dilation, conv.transposed,
            conv.output_padding, conv.groups, [need_x, need_w, need_b])
        if need_x:
            grad_x = _scatter_rows(grad_x.to(x_sel.dtype), draw)
        if need_w:
            grad_w = grad_w.to(weight.dtype)
        return _grads(ctx.needs_input_grad, grad_x, grad_w, grad_b) + (
            None, None)


class DrawnStepsBatchNorm(Function):
    """A BatchNorm whose backward covers only the drawn steps' rows, with
    the other steps' inputs held constant in its statistics.

    Args of :meth:`apply`: as :class:`DrawnStepsConv`'s.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Optional[Tensor],
                bias: Optional[Tensor], norm: _BatchNorm,
                draw: StepDraw) -> Tensor:
        # _BatchNorm.forward's choice between batch and running statistics
        batch_stats = norm.training or (norm.running_mean is None
                                        and norm.running_var is None)
        if batch_stats:  # before the module's forward updates them
            var, mean = _batch_stats(x)
        else:
            mean, var = norm.running_mean.float(), norm.running_var.float()
        out = type(norm).forward(norm, x)
        ctx.draw, ctx.batch_stats = draw, batch_stats
        ctx.count = x.numel() // x.shape[1]  # all T x B samples
        ctx.save_for_backward(
            _select_rows(x, draw), weight, mean,
            torch.rsqrt(var + norm.eps))
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        if ctx.batch_stats:
            return DrawnStepsBatchNorm.batch_stats_backward(ctx, grad_out)
        # running statistics: constants, so dx = w g / sigma
        x_sel, weight, mean, invstd = ctx.saved_tensors
        shape = [1, -1] + [1] * (x_sel.dim() - 2)
        dims = [0] + list(range(2, x_sel.dim()))
        g = _select_rows(grad_out, ctx.draw).float()
        x_hat = (x_sel.float() - mean.view(shape)) * invstd.view(shape)
        g_w = g if weight is None else g * weight.float().view(shape)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = _scatter_rows(
                (g_w * invstd.view(shape)).to(x_sel.dtype), ctx.draw)
        if ctx.needs_input_grad[1]:
            grad_w = (g * x_hat).sum(dims).to(weight.dtype)
        if ctx.needs_input_grad[2]:
            grad_b = g.sum(dims).to(weight.dtype)  # affine: both or none
        return grad_x, grad_w, grad_b, None, None

    @staticmethod
    def batch_stats_backward(ctx, grad_out: Tensor):
        """The backward with batch statistics, by ATen's BatchNorm backward
        on the drawn rows. That normalises its sums by the rows it is given
        (``n'`` samples) where the layer's statistics count all ``n``; with
        ``A = w g / sigma`` (the part without the sums) and ``r = n' / n``,
        the gradient is ``r dx' + (1 - r) A``. ``dL/dw`` and ``dL/db``
        (sums over the drawn rows) are ATen's as they are."""
        x_sel, weight, mean, invstd = ctx.saved_tensors
        shape = [1, -1] + [1] * (x_sel.dim() - 2)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        g = _select_rows(grad_out, ctx.draw).float()
        w = None if weight is None else weight.float()
        grad_x, grad_w, grad_b = torch.ops.aten.native_batch_norm_backward(
            g, x_sel.float(), w, None, None, mean, invstd, True, 0.,
            [need_x, need_w, need_b])
        if need_x:
            ratio = (x_sel.numel() // x_sel.shape[1]) / ctx.count
            coef = invstd * (1 - ratio)
            if w is not None:
                coef = coef * w
            grad_x = _scatter_rows(
                grad_x.mul_(ratio).addcmul_(g, coef.view(shape)).to(
                    x_sel.dtype), ctx.draw)
        if need_w:
            grad_w = grad_w.to(weight.dtype)
        if need_b:
            grad_b = grad_b.to(weight.dtype)
        return grad_x, grad_w, grad_b, None, None


class DrawnStepsForward:
    """The forward of a convolution or BatchNorm under a training mode that
    draws steps: its selecting node while a draw applies to the input
    (:meth:`BPTTMode.grad_steps`), else the module's own forward.

    Installed as the module's ``forward`` (an instance attribute; the
    module's class, parameters and state dict are unchanged) by
    :func:`apply_bptt_mode`.
    """

    def __init__(self, module: nn.Module, mode: BPTTMode) -> None:
        self.module, self.mode = module, mode
        self.node = DrawnStepsConv if isinstance(module, _ConvNd) else \
            DrawnStepsBatchNorm

    def __call__(self, x: Tensor) -> Tensor:
        module = self.module
        draw = self.mode.grad_steps(x.shape[0])
        if draw is None:
            return type(module).forward(module, x)
        return self.node.apply(x, module.weight, module.bias, module, draw)


def _check_selectable(name: str, module: nn.Module) -> None:
    """Raise unless :class:`DrawnStepsForward` can run ``module``."""
    if isinstance(module, _ConvNd):
        ok = type(module).forward in {c.forward for c in CONV_TYPES} and \
            module.padding_mode == 'zeros' and \
            not isinstance(module.padding, str)
    else:
        ok = type(module).forward is _BatchNorm.forward and not isinstance(
            module, nn.SyncBatchNorm)
    if not ok:
        raise ConfigValueError(
            f'model.bptt.k: layer {name} ({type(module).__name__}) cannot '
            'back-propagate a subset of the time steps; SLTT-K supports '
            'nn.Conv1d/2d/3d with numeric zero padding and nn.BatchNorm1d/'
            "2d/3d (not SyncBatchNorm). Use model.bptt=dict(mode='sltt') "
            'without k for this model')


def selectable_layers(model: nn.Module) -> Tuple[Tuple[str, nn.Module], ...]:
    """The convolutions and BatchNorms of ``model``'s spiking parts: those
    inside an owner of T (a :class:`TimeStepsMixin` other than ``model``
    itself), which see time folded into the batch."""
    layers = {}
    for prefix, part in model.named_modules():
        if part is model or not isinstance(part, TimeStepsMixin):
            continue
        for name, module in part.named_modules(prefix=prefix):
            if isinstance(module, (_ConvNd, _BatchNorm)):
                layers.setdefault(id(module), (name, module))
    return tuple(layers.values())


def apply_bptt_mode(model: nn.Module, mode: Optional[BPTTMode]) -> None:
    """Give ``model`` a training mode: to every module with a membrane
    (every :class:`~mmsnn.models.neurons.BaseMembraneModule`: the neurons
    and real-valued membranes), and, when the mode
    draws steps (``k``), the selecting forward to every convolution and
    BatchNorm of its spiking parts (:func:`selectable_layers`); a mode
    without ``k`` (or None, BPTT) removes those forwards.

    Args:
        model (nn.Module): Changed in place.
        mode (BPTTMode, optional): The mode; None is BPTT.

    Raises:
        ConfigValueError: When the mode draws steps and a layer of the
            spiking parts cannot back-propagate a subset of them.
    """
    select = mode is not None and mode.k is not None
    layers = selectable_layers(model)
    if select:
        for name, module in layers:
            _check_selectable(name, module)
    for _, module in membrane_modules(model):
        module.bptt = mode
    for module in model.modules():
        if isinstance(module.__dict__.get('forward'), DrawnStepsForward):
            del module.forward
    if select:
        for _, module in layers:
            module.forward = DrawnStepsForward(module, mode)
