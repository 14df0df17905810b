"""Parametric LIF neuron: LIF with a learnable time constant."""
import math

import torch
from torch import Tensor

from .base_neuron import check_positive, register_neuron
from .lif_neuron import LIFNeuron


@register_neuron
class ParametricLIFNeuron(LIFNeuron):
    """LIF with a learnable time constant (PLIF; Fang et al., ICCV 2021, as
    spikingjelly's ``ParametricLIFNode``).

    ``1/tau = sigmoid(w)`` with the parameter ``w`` initialised to
    ``-log(init_tau - 1)``; every neuron of the module shares it. The fused
    kernels return ``dL/dw`` through the leak factor ``k = 1 - sigmoid(w)``
    (and the input scaling with ``decay_input``).

    Args:
        init_tau (float): Initial ``tau`` (finite, > 1). Defaults to 2.0.
        **kwargs: :class:`LIFNeuron`'s except ``tau``.
    """

    def __init__(self, init_tau: float = 2.0, **kwargs) -> None:
        if 'tau' in kwargs:
            raise TypeError('ParametricLIFNeuron: the time constant is '
                            'learnt; set init_tau instead of tau')
        super().__init__(tau=init_tau, **kwargs)

    def init_tau(self, tau: float) -> None:
        tau = check_positive(type(self).__name__, 'init_tau', tau, above=1.)
        self.w = torch.nn.Parameter(torch.tensor(-math.log(tau - 1)))

    @property
    def tau(self) -> float:
        """The current ``tau = 1 / sigmoid(w)``."""
        return 1 / self.w.detach().sigmoid().item()

    def reciprocal_tau(self) -> Tensor:
        return self.w.sigmoid()

    def leak_factor(self) -> Tensor:
        return 1 - self.w.sigmoid()
