"""mmdet's ResNet with integrate-and-fire neurons."""
from typing import Tuple

import torch.nn as nn
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor

from ..defaults import DEFAULT_NEURON_CFG, DEFAULT_TIME_STEPS, neuron_config
from ..layers.spikify import replace_activations
from ..layers.time_adapters import TimeRepeat
from ..neurons.neuron_utils import spiking_modules
from ..time.folding import mark_time_folded
from ..time.owner import TimeStepsMixin
from .encoding import check_encoding, check_sequence_input


@MODELS.register_module()
class SpikingResNet(TimeStepsMixin, ResNet):
    """Spiking ResNet: mmdet's :class:`ResNet` with IF neurons.

    Every ``nn.ReLU`` (stem and blocks) becomes a neuron built from
    ``neuron_cfg``; a block's one ``relu``, called after each of its convs,
    becomes one neuron called there, which is exact because a multi-step
    call integrates a whole sequence from rest. Residual sums add spikes to
    currents before the block's last neuron, so outputs are binary spikes.

    The stem is the encoding layer. With ``encoding='direct'`` (images) its
    conv + BN run once on the image and the current is repeated over T
    before the stem's neuron (``relu`` becomes ``Sequential(TimeRepeat,
    neuron)``); every later layer runs on time folded into the batch. This
    equals running the ANN stem on T copies. With ``encoding='sequence'``
    the input is already a time-folded sequence (event frames, one bin per
    step) and the stem runs on every step's frame like any later layer.

    No parameter is added or renamed, so torchvision / mmdet ResNet
    checkpoints (``init_cfg=dict(type='Pretrained', ...)``) load as they
    are. All :class:`ResNet` arguments apply (``depth``, ``base_channels``,
    ``out_indices``, ``frozen_stages``, ``norm_eval``, ``deep_stem``...).

    Only the multi-step mode is supported: a neuron called at several places
    would mix their states in single-step mode.

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neuron config. Defaults to ``DEFAULT_NEURON_CFG``.
        encoding (str): ``'direct'`` (an image repeated over T) or
            ``'sequence'`` (``[T*B, C, H, W]`` already folded, e.g. from
            ``EventDetDataPreprocessor(fold='time')``; its T must be
            ``time_steps``). Defaults to ``'direct'``.
        **kwargs: Any other :class:`ResNet` argument (``in_channels``: 3
            for images, 2 for ON/OFF event histograms).

    Shapes:
        input ``[B, C, H, W]`` (direct) or ``[T*B, C, H, W]`` (sequence);
        outputs ``[T*B, C_i, H/s_i, W/s_i]`` spikes, time-major.
    """

    def __init__(self,
                 depth: int,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = DEFAULT_NEURON_CFG,
                 encoding: str = 'direct',
                 **kwargs) -> None:
        neuron_cfg = neuron_config(neuron_cfg)
        self.encoding = check_encoding(encoding, 'SpikingResNet')
        super().__init__(depth=depth, **kwargs)
        replace_activations(self, neuron_cfg, act_types=(nn.ReLU, ))
        if self.encoding == 'direct':
            # deep stem (conv, norm, relu, conv, ...): encode at its relu
            if self.deep_stem:
                self.stem[2] = nn.Sequential(TimeRepeat(), self.stem[2])
            else:
                self.relu = nn.Sequential(TimeRepeat(), self.relu)
        self.time_steps = time_steps

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Args:
            x (Tensor): Images ``[B, C, H, W]``, or with
                ``encoding='sequence'`` a folded sequence ``[T*B, C, H, W]``.

        Returns:
            tuple[Tensor]: Stage outputs at ``out_indices``, each
            ``[T*B, C, h, w]``.
        """
        for name, neuron in spiking_modules(self):
            if neuron.step_mode != 'm':
                raise RuntimeError(
                    f'SpikingResNet: neuron {name} is in step_mode '
                    f"{neuron.step_mode!r}; only 'm' is supported (its "
                    'neurons serve several layers each)')
        if self.encoding == 'sequence':
            check_sequence_input(x, self.time_steps, 'SpikingResNet')
        return mark_time_folded(super().forward(x), self.time_steps)

    def train(self, mode: bool = True) -> 'SpikingResNet':
        """As :meth:`ResNet.train`, but returns ``self`` like nn.Module."""
        super().train(mode)
        return self
