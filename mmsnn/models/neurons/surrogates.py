"""Surrogate gradients besides the arctangent of the (L)IF kernels.

A spike is the Heaviside step of ``u = h - V_th``; its surrogate gradient
replaces the step's zero derivative in backward. The arctangent (paper
Eq. 5) is :func:`~mmsnn.models.neurons.multistep.atan_surrogate_grad`;
this module adds the rectangular window of STBP (Wu et al., 2018), used by
tdBN (Zheng et al., 2021) and EMS-YOLO (Su et al., 2023):

.. math::
    g'(u) = \\frac{1}{2 w} \\mathbf{1}_{|u| < w}

the derivative of ``g(u) = clip(u / (2 w) + 1/2, 0, 1)``. spikingjelly's
``surrogate.Rect(alpha=1 / (2 w))`` has the same gradient, but fires on
``u >= 0``; STBP's code fires on ``u > 0`` strictly, which
:func:`rectangular_spike` keeps.
"""
import torch
from torch import Tensor


def rectangular_surrogate_grad(u: Tensor, width: float) -> Tensor:
    """``g'(u) = 1(|u| < width) / (2 width)``, in ``u``'s dtype.

    Args:
        u (Tensor): Potential minus threshold, any shape.
        width (float): Half-width ``w`` of the window (STBP's ``lens``).

    Returns:
        Tensor: The surrogate derivative, shape of ``u``.
    """
    return (u.abs() < width).to(u.dtype) / (2 * width)


def rectangular_primitive(u: Tensor, width: float) -> Tensor:
    """``g(u) = clip(u / (2 width) + 1/2, 0, 1)``, whose derivative is the
    rectangular surrogate (the function the surrogate smooths the step
    into)."""
    return (u / (2 * width) + 0.5).clamp(0, 1)


class RectangularSpike(torch.autograd.Function):
    """``H(u)`` forward (strictly: ``u > 0`` fires), the rectangular
    surrogate backward.

    Args of :meth:`apply`: ``u`` (Tensor), ``width`` (float).
    """

    @staticmethod
    def forward(ctx, u: Tensor, width: float) -> Tensor:
        ctx.save_for_backward(u)
        ctx.width = width
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_spike: Tensor):
        u, = ctx.saved_tensors
        return grad_spike * rectangular_surrogate_grad(u, ctx.width), None


def rectangular_spike(u: Tensor, width: float) -> Tensor:
    """Spikes ``1(u > 0)`` with the rectangular surrogate gradient.

    Args:
        u (Tensor): Potential minus threshold, any shape.
        width (float): Half-width of the surrogate window.

    Returns:
        Tensor: 0/1 spikes, shape and dtype of ``u``.
    """
    return RectangularSpike.apply(u, width)
