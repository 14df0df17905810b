"""SpikeYOLO: a single-stage spiking detector that owns T and D."""
from typing import Optional

from mmdet.models.detectors import SingleStageDetector
from mmdet.registry import MODELS

from ..layers.spikeyolo_bricks import ReparamConv, reparameterize
from ..neurons.ilif_neuron import (ILIFNeuron, check_max_spike_count,
                                   set_max_spike_count, set_spike_driven)
from .spiking_detector_mixin import SpikingDetectorMixin


@MODELS.register_module()
class SpikeYOLO(SpikingDetectorMixin, SingleStageDetector):
    """SpikeYOLO (Luo et al., ECCV 2024): ``SpikeYOLOBackbone``,
    ``SpikeYOLONeck`` and ``SpikeYOLOHead`` with I-LIF neurons, integer
    spikes in training.

    It owns T (``time_steps``, set once on every part, see
    :class:`SpikingDetectorMixin`) and D (``max_spike_count``, set on every
    :class:`~mmsnn.models.neurons.ILIFNeuron`): SpikeYOLO's COCO models run
    T = 1, D = 4, its Gen1 model T = 2, D = 4.

    Spike-driven inference (:attr:`spike_driven`): every neuron's integer
    spike drives its conv as D binary sub-steps (bias / D each), so the
    network runs ``T x D`` binary steps whose synaptic operations are all
    accumulates, and gives the integer network's outputs. It needs each
    neuron to feed one conv: :meth:`reparameterize` first.

    Args:
        backbone, neck, bbox_head (dict): The parts.
        time_steps (int): T. Defaults to 1.
        max_spike_count (int): D. Defaults to 4.
        train_cfg, test_cfg, data_preprocessor, init_cfg: As
            :class:`SingleStageDetector`.
    """

    def __init__(self,
                 *args,
                 time_steps: int = 1,
                 max_spike_count: int = 4,
                 **kwargs) -> None:
        super().__init__(*args, time_steps=time_steps, **kwargs)
        self.max_spike_count = max_spike_count

    @property
    def max_spike_count(self) -> int:
        """D, the largest integer spike of every I-LIF neuron."""
        return self._max_spike_count

    @max_spike_count.setter
    def max_spike_count(self, value: int) -> None:
        self._max_spike_count = check_max_spike_count(value, 'SpikeYOLO')
        set_max_spike_count(self, value)

    @property
    def spike_driven(self) -> bool:
        """Whether the neurons drive their convs with binary sub-steps."""
        return any(m.spike_driven for m in self.modules()
                   if isinstance(m, ILIFNeuron))

    @spike_driven.setter
    def spike_driven(self, value: bool) -> None:
        if value and any(isinstance(m, ReparamConv) for m in self.modules()):
            raise RuntimeError(
                'SpikeYOLO.spike_driven = True needs every neuron to feed '
                'one conv: call model.reparameterize() first (after loading '
                'the weights; it folds RepConv / SepRepConv into convs)')
        set_spike_driven(self, value)

    def reparameterize(self) -> int:
        """Fold every ``RepConv`` / ``SepRepConv`` into one conv, in place
        (inference: BN running statistics are folded in; the state dict's
        keys change). Returns how many blocks were folded."""
        return reparameterize(self)

    def extra_repr(self) -> Optional[str]:
        return (f'time_steps={self.time_steps}, '
                f'max_spike_count={self.max_spike_count}')
