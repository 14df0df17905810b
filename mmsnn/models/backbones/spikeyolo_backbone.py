"""SpikeYOLO's backbone (layers 0-9 of the authors' ``snn_yolov8.yaml``)."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..layers.spikeyolo_bricks import (SPIKEYOLO_NEURON_CFG,
                                       SPIKEYOLO_NORM_CFG, MSAllConvBlock,
                                       MSConvBlock, MSDownSampling, SpikeSPPF,
                                       make_divisible, scale_depth,
                                       scale_width)
from ..time.folding import repeat_over_time
from ..time.owner import TimeStepsMixin
from .encoding import check_encoding, check_sequence_input

#: The authors' model scales: (deepen_factor, widen_factor, max_channels)
#: of ``snn_yolov8.yaml``; m and l also change the neck's last block
#: (``SpikeYOLONeck(last_mlp_ratio=2)``).
SPIKEYOLO_SCALES = dict(
    n=(0.33, 0.375, 1024),
    s=(0.33, 0.5, 1024),
    m=(0.5, 0.625, 7024),
    l=(0.5, 0.75, 1024))


@MODELS.register_module()
class SpikeYOLOBackbone(TimeStepsMixin, BaseModule):
    """The spiking backbone of SpikeYOLO (I-LIF neurons, membrane
    shortcuts).

    ``stem`` (7x7 stride-4 conv, BN: the encoding layer), ``stage1``
    (``MSAllConvBlock`` x 3d), ``stage2`` (downsample, ``MSAllConvBlock`` x
    6d), ``stage3`` (downsample, ``MSConvBlock`` x 9d, MLP ratio 3),
    ``stage4`` (downsample, ``MSConvBlock`` x 3d, MLP ratio 2,
    ``SpikeSPPF``), with channels ``int(c * widen_factor)`` for
    ``c = 128, 256, 512, 1024`` and block counts scaled by
    ``deepen_factor`` as the authors' ``parse_model`` does
    (:data:`SPIKEYOLO_SCALES`).

    The stem is fed the image once (direct encoding; its output current is
    repeated over T), or with ``encoding='sequence'`` a time-folded
    sequence ``[T*B, C, H, W]`` (event frames).

    Args:
        deepen_factor (float): Depth multiple. Defaults to 0.33 (s).
        widen_factor (float): Width multiple. Defaults to 0.5 (s).
        max_channels (int): Channel cap of the SPPF's output (as the
            yaml's). Defaults to 1024.
        in_channels (int): Input channels. Defaults to 3.
        kernel_size (int): Depth-wise kernel of the blocks' SepConv.
            Defaults to 7.
        out_indices (Sequence[int]): Stages to output, of 1..4.
            Defaults to (2, 3, 4) (P3, P4, P5).
        encoding (str): ``'direct'`` or ``'sequence'``. Defaults to
            ``'direct'``.
        time_steps (int): T. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neurons. Defaults to I-LIF, D = 4.
        norm_cfg (dict): Norms. Defaults to BN(eps=1e-3, momentum=0.03).
        init_cfg (dict, optional): Initialisation. Defaults to None.

    Shapes:
        input ``[B, C, H, W]`` (direct) or ``[T*B, C, H, W]`` (sequence);
        outputs currents ``[T*B, C_i, H/s_i, W/s_i]``, ``s_i = 8, 16, 32``.
    """

    def __init__(self,
                 deepen_factor: float = 0.33,
                 widen_factor: float = 0.5,
                 max_channels: int = 1024,
                 in_channels: int = 3,
                 kernel_size: int = 7,
                 out_indices: Sequence[int] = (2, 3, 4),
                 encoding: str = 'direct',
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not set(out_indices) <= {1, 2, 3, 4}:
            raise ConfigValueError(
                'SpikeYOLOBackbone: out_indices must be stages of 1..4, got '
                f'{out_indices!r}')
        self.out_indices = tuple(out_indices)
        self.encoding = check_encoding(encoding, 'SpikeYOLOBackbone')
        c1, c2, c3, c4 = (scale_width(c, widen_factor)
                          for c in (128, 256, 512, 1024))
        blocks = dict(neuron_cfg=neuron_cfg, norm_cfg=norm_cfg)

        def stage(block, channels, num, mlp_ratio):
            return [block(channels, mlp_ratio, kernel_size, **blocks)
                    for _ in range(scale_depth(num, deepen_factor))]

        self.stem = MSDownSampling(in_channels, c1, 7, 4, 2, first_layer=True,
                                   **blocks)
        self.stage1 = nn.Sequential(*stage(MSAllConvBlock, c1, 3, 4))
        self.stage2 = nn.Sequential(
            MSDownSampling(c1, c2, **blocks),
            *stage(MSAllConvBlock, c2, 6, 4))
        self.stage3 = nn.Sequential(
            MSDownSampling(c2, c3, **blocks), *stage(MSConvBlock, c3, 9, 3))
        sppf_channels = make_divisible(min(1024, max_channels) * widen_factor)
        self.stage4 = nn.Sequential(
            MSDownSampling(c3, c4, **blocks), *stage(MSConvBlock, c4, 3, 2),
            SpikeSPPF(c4, sppf_channels, **blocks))
        #: Output channels of stages 1..4.
        self.stage_channels = (c1, c2, c3, sppf_channels)
        self.time_steps = time_steps

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of the outputs (of ``out_indices``)."""
        return tuple(self.stage_channels[i - 1] for i in self.out_indices)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Args:
            x (Tensor): Images ``[B, C, H, W]``, or with
                ``encoding='sequence'`` a folded sequence ``[T*B, C, H, W]``.

        Returns:
            tuple[Tensor]: Currents of the ``out_indices`` stages, each
            ``[T*B, C_i, h_i, w_i]``.
        """
        if self.encoding == 'sequence':
            check_sequence_input(x, self.time_steps, 'SpikeYOLOBackbone')
            x = self.stem(x)
        else:  # the same image every step: encode once, repeat the current
            x = repeat_over_time(self.stem(x), self.time_steps)
        outs = []
        for i, stage in enumerate(
            (self.stage1, self.stage2, self.stage3, self.stage4), 1):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
