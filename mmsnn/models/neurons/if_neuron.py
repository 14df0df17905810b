"""Integrate-and-fire neuron with an arctangent surrogate gradient."""
from typing import Union

from torch import Tensor

from .backends import KERNEL_BACKENDS
from .base_neuron import register_neuron
from .threshold_neuron import ThresholdNeuron


@register_neuron
class IFNeuron(ThresholdNeuron):
    """Integrate-and-fire neuron (paper Eq. 1-3) trained with ATan (Eq. 4-5).

    .. math::
        V[t] = V[t-1] + I[t] - V_{th} s[t], \\quad s[t] = H(V[t^-] - V_{th})

    where ``V[t^-] = V[t-1] + I[t]`` is the potential after charging. With
    ``reset_mode='hard'`` the potential returns to ``v_reset`` (0) after a
    spike instead (the authors' released code). Arguments, shapes and
    backends are :class:`~mmsnn.models.neurons.ThresholdNeuron`'s.

    It is a drop-in ``act_cfg`` for mmcv's ``ConvModule``:
    ``act_cfg=dict(type='IFNeuron')``.
    """

    backends = KERNEL_BACKENDS  # h = V + I: no leak, input as it is

    def charge(self, x: Tensor, v: Union[Tensor, float]) -> Tensor:
        return v + x
