"""Leaky integrate-and-fire neuron with an arctangent surrogate gradient."""
from typing import Union

import torch
from torch import Tensor

from .backends import KERNEL_BACKENDS
from .base_neuron import check_positive, register_neuron
from .threshold_neuron import ThresholdNeuron


@register_neuron
class LIFNeuron(ThresholdNeuron):
    """Leaky integrate-and-fire neuron (spikingjelly's ``LIFNode``
    dynamics) trained with ATan.

    With ``decay_input=True``:

    .. math::
        h[t] = V[t-1] + \\frac{1}{\\tau} (I[t] - (V[t-1] - V_{reset}))

    and with ``decay_input=False``:

    .. math::
        h[t] = V[t-1] - \\frac{1}{\\tau} (V[t-1] - V_{reset}) + I[t]

    then fire and reset as :class:`~mmsnn.models.neurons.ThresholdNeuron`
    (soft: subtract ``V_th``, then ``V_reset`` must be 0; hard: to
    ``V_reset``). Below threshold the potential decays by
    ``k = 1 - 1/tau`` a step: a constant input ``I`` from rest gives
    ``h[t] = c I (1 - k^{t+1}) / (1 - k)`` with ``c = 1/tau`` (decay_input)
    or 1. The fused kernels run ``h = k (V - V_reset) + c I``.

    Args:
        tau (float): Membrane time constant (finite, > 1, as spikingjelly).
            Defaults to 2.0.
        decay_input (bool): Scale the input by ``1/tau`` too.
            Defaults to True.
        **kwargs: :class:`~mmsnn.models.neurons.ThresholdNeuron`'s
            (``v_threshold``, ``reset_mode``, ``v_reset`` (reset potential
            of the hard reset and potential at rest), ``surrogate_alpha``,
            ``detach_reset``, ``learnable_threshold``, ``time_steps``,
            ``step_mode``, ``backend``, ``inplace``).
    """

    backends = KERNEL_BACKENDS  # h - V_reset = k (V - V_reset) + c I

    def __init__(self,
                 tau: float = 2.0,
                 decay_input: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.init_tau(tau)
        self.decay_input = decay_input

    def init_tau(self, tau: float) -> None:
        """Store ``tau`` (checked) and the leak factor ``1 - 1/tau``."""
        self.tau = check_positive(type(self).__name__, 'tau', tau, above=1.)
        # float64 so that .double() models keep 1 - 1/tau exact; a 0-dim
        # tensor does not promote the (float32, half) currents it multiplies
        self.register_buffer(
            'decay', torch.tensor(1 - 1 / self.tau, dtype=torch.float64),
            persistent=False)

    def reciprocal_tau(self) -> Union[Tensor, float]:
        """``1/tau`` (a float, or a 0-dim tensor where tau is learnt)."""
        return 1 / self.tau

    def charge(self, x: Tensor, v: Union[Tensor, float]) -> Tensor:
        r = self.reciprocal_tau()
        if self.decay_input:
            return v + (x - (v - self.v_reset)) * r
        return v - (v - self.v_reset) * r + x

    def leak_factor(self) -> Tensor:
        return self.decay

    def kernel_input(self, x_seq: Tensor) -> Tensor:
        return x_seq * self.reciprocal_tau() if self.decay_input else x_seq

    def extra_repr(self) -> str:
        return (f'tau={self.tau:g}, decay_input={self.decay_input}, ' +
                super().extra_repr())

