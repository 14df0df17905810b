"""Integer-valued LIF (I-LIF, SpikeYOLO): integer spikes in training,
binary spikes over D sub-steps at inference."""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from spikingjelly.activation_based import surrogate
from torch import Tensor
from torch.func import functional_call

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..time.folding import fold_time, unfold_time
from .base_neuron import BaseSpikingNeuron, register_neuron

#: The values of D that SpikeYOLO's code trains with (``MultiSpike1..8``).
SPIKE_COUNTS = (1, 2, 4, 8)


def check_max_spike_count(value, owner: str = 'ILIFNeuron') -> int:
    """Return ``value`` if it is a positive integer (D), else raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigValueError(
            f'{owner}: max_spike_count must be a positive integer (D, the '
            f'largest integer spike; SpikeYOLO uses {SPIKE_COUNTS}), got '
            f'{value!r}')
    return value


@register_neuron
class ILIFNeuron(BaseSpikingNeuron):
    """Integer-valued leaky integrate-and-fire neuron (SpikeYOLO's I-LIF).

    .. math::
        H[t] = \\beta V[t-1] + X[t], \\quad
        S[t] = \\mathrm{round}(\\mathrm{clip}(H[t], 0, D)), \\quad
        V[t] = H[t] - \\mathrm{sg}(S[t])

    with ``V[-1] = 0`` (so ``H[0] = X[0]``), leak ``beta`` (``decay``, 0.25
    in SpikeYOLO's ``mem_update``) and ``sg`` a stop-gradient (their reset
    subtracts the detached spike). The spike ``S[t]`` is an integer in
    ``{0, ..., D}``; its backward is the straight-through estimator of
    their ``MultiSpike{D}``: the gradient passes unchanged where
    ``0 <= H <= D`` and is 0 elsewhere (spikingjelly's
    ``surrogate.MultiLevelSpikeCount``).

    **Spike-driven inference.** With :attr:`spike_driven` set, the layer a
    neuron feeds (:meth:`drive`) receives each integer spike ``S`` as ``D``
    binary sub-steps, ``S`` ones then zeros (their
    ``convert_integer_to_binary.py``): it runs ``T x D`` times on 0/1
    inputs (every synaptic operation an accumulate), adding ``bias / D`` at
    each sub-step, and the ``D`` sub-step currents of each time step are
    summed. A linear layer then gives exactly what it gives on the integer
    spikes (``W S + b``), so the network's outputs are unchanged. The
    neuron's own output is always the integer spike count.

    Args:
        max_spike_count (int): D, the largest integer spike (SpikeYOLO:
            4). Usually set by the detector. Defaults to 4.
        decay (float): Leak ``beta`` in ``[0, 1]``. Defaults to 0.25.
        spike_driven (bool): Expand spikes into binary sub-steps in
            :meth:`drive` (inference only). Defaults to False.
        time_steps (int): T. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        backend (str): ``'auto'`` or ``'autograd'``. Defaults to ``'auto'``.
        inplace (bool, optional): Ignored (``ConvModule`` passes it).

    Shapes:
        ``[T*B, ...]`` currents in, ``[T*B, ...]`` integer spikes out.
    """

    def __init__(self,
                 max_spike_count: int = 4,
                 decay: float = 0.25,
                 spike_driven: bool = False,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 backend: str = 'auto',
                 inplace: Optional[bool] = None) -> None:
        super().__init__(time_steps, step_mode, backend, 0., inplace)
        if isinstance(decay, bool) or not isinstance(
                decay, (int, float)) or not 0 <= decay <= 1:
            raise ConfigValueError(
                f'ILIFNeuron: decay must be a number in [0, 1] (the leak '
                f'factor beta; SpikeYOLO: 0.25), got {decay!r}')
        self.decay = float(decay)
        self.max_spike_count = max_spike_count
        self.spike_driven = spike_driven

    @property
    def max_spike_count(self) -> int:
        """D: spikes are integers in ``[0, D]``."""
        return self._max_spike_count

    @max_spike_count.setter
    def max_spike_count(self, value: int) -> None:
        self._max_spike_count = check_max_spike_count(value)
        self.surrogate_function = surrogate.MultiLevelSpikeCount(value)

    def neuronal_step(self, x: Tensor,
                      v: Union[Tensor, float]) -> Tuple[Tensor, Tensor]:
        h = v * self.decay + x if isinstance(v, Tensor) or v else x
        spike = self.surrogate_function(h)
        return spike, h - spike.detach()

    # -- spike-driven inference ------------------------------------------
    def expand(self, spikes: Tensor) -> Tensor:
        """Integer spikes ``[T*B, ...]`` -> binary sub-steps
        ``[T*D*B, ...]``: step ``t``'s spike ``s`` becomes ``s`` ones then
        ``D - s`` zeros at sub-steps ``t*D .. t*D+D-1`` (time-major)."""
        counts = unfold_time(spikes, self.time_steps)
        slots = torch.arange(self.max_spike_count, device=spikes.device)
        slots = slots.view(1, -1, *(1, ) * (counts.dim() - 1))
        binary = (slots < counts.unsqueeze(1)).to(spikes.dtype)
        return fold_time(binary.flatten(0, 1))

    def sum_sub_steps(self, x: Tensor) -> Tensor:
        """``[T*D*B, ...]`` sub-step currents -> ``[T*B, ...]``: the sum of
        each time step's D sub-steps."""
        steps = unfold_time(x, self.time_steps * self.max_spike_count)
        steps = steps.unflatten(0, (self.time_steps, self.max_spike_count))
        return fold_time(steps.sum(1))

    def drive(self, layer: nn.Module, x: Tensor) -> Tensor:
        """``layer`` on this neuron's spikes of ``x``: on the integer spikes,
        or with :attr:`spike_driven` on their binary sub-steps (bias / D at
        each), summed back per time step.

        Args:
            layer (nn.Module): The synapses the neuron feeds. In
                spike-driven mode an ``nn.Conv2d`` (reparameterise
                multi-conv blocks first).
            x (Tensor): Input current ``[T*B, C, H, W]``.

        Returns:
            Tensor: ``layer``'s output, ``[T*B, C', H', W']``.
        """
        spikes = self(x)
        if not self.spike_driven:
            return layer(spikes)
        if not isinstance(layer, nn.Conv2d):
            raise TypeError(
                f'ILIFNeuron(spike_driven=True) feeds a {type(layer).__name__}'
                ', which is not one convolution: reparameterise the model '
                'first (mmsnn.models.layers.reparameterize) so that every '
                'neuron feeds one conv')
        binary = self.expand(spikes)
        if layer.bias is None:
            current = layer(binary)
        else:  # the module's own call (its hooks run), with bias / D
            current = functional_call(
                layer, {'bias': layer.bias / self.max_spike_count},
                (binary, ))
        return self.sum_sub_steps(current)

    def extra_repr(self) -> str:
        return (f'max_spike_count={self.max_spike_count}, decay={self.decay:g}'
                f', spike_driven={self.spike_driven}, ' +
                super().extra_repr())



def set_max_spike_count(model: nn.Module, max_spike_count: int) -> int:
    """Set D on every :class:`ILIFNeuron` of ``model``; returns how many."""
    check_max_spike_count(max_spike_count, 'set_max_spike_count')
    neurons = [m for m in model.modules() if isinstance(m, ILIFNeuron)]
    for neuron in neurons:
        neuron.max_spike_count = max_spike_count
    return len(neurons)


def set_spike_driven(model: nn.Module, spike_driven: bool) -> int:
    """Switch every :class:`ILIFNeuron` of ``model`` between integer spikes
    and binary sub-steps (:meth:`ILIFNeuron.drive`); returns how many."""
    neurons = [m for m in model.modules() if isinstance(m, ILIFNeuron)]
    for neuron in neurons:
        neuron.spike_driven = bool(spike_driven)
    return len(neurons)
