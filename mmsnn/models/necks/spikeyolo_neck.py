"""SpikeYOLO's neck (layers 10-25 of the authors' ``snn_yolov8.yaml``)."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..layers.spikeyolo_bricks import (SPIKEYOLO_NEURON_CFG,
                                       SPIKEYOLO_NORM_CFG, MSAllConvBlock,
                                       MSConvBlock, MSStandardConv,
                                       scale_width)
from ..time.folding import check_time_folded
from ..time.owner import TimeStepsMixin


@MODELS.register_module()
class SpikeYOLONeck(TimeStepsMixin, BaseModule):
    """The spiking PAN of SpikeYOLO: a top-down path (1x1 reduction,
    nearest 2x upsampling, a block, concat with the backbone level) and a
    bottom-up path (stride-2 3x3 conv, concat, a block), on currents.

    With ``w = widen_factor`` and ``P3, P4, P5`` the backbone's outputs::

        p5 = reduce_p5(P5)                                  # 512w, 1x1
        p4 = reduce_p4(cat(top_down_p4(up(p5)), P4))        # 256w, 1x1
        o3 = out_p3(reduce_p3(cat(top_down_p3(up(p4)), P3)))   # 256w
        o4 = out_p4(cat(downsample_p3(o3), p4))             # 2 x 256w
        o5 = out_p5(cat(downsample_p4(o4), p5))             # 2 x 512w

    ``top_down_p4``, ``out_p4`` and ``out_p5`` are ``MSConvBlock`` (MLP
    ratios 3, 3 and ``last_mlp_ratio``), ``top_down_p3`` and ``out_p3``
    ``MSAllConvBlock`` (ratio 4); the others are ``MSStandardConv``.

    Args:
        in_channels (Sequence[int]): Channels of P3, P4, P5.
        widen_factor (float): Width multiple. Defaults to 0.5 (s).
        max_channels (int): Channel cap of the 512-channel reductions (as
            the yaml's ``min(512w, max_channels * w)``). Defaults to 1024.
        last_mlp_ratio (float): MLP ratio of ``out_p5``: 1 for the n and s
            scales, 2 for m and l (the authors' 48M and 69M models).
            Defaults to 1.
        kernel_size (int): Depth-wise kernel of the blocks' SepConv.
            Defaults to 7.
        time_steps (int): T. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neurons. Defaults to I-LIF, D = 4.
        norm_cfg (dict): Norms. Defaults to BN(eps=1e-3, momentum=0.03).
        init_cfg (dict, optional): Initialisation. Defaults to None.

    Shapes:
        inputs ``[T*B, C_i, h_i, w_i]`` (strides 8, 16, 32); outputs the
        same strides with :attr:`out_channels`.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 widen_factor: float = 0.5,
                 max_channels: int = 1024,
                 last_mlp_ratio: float = 1.,
                 kernel_size: int = 7,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) != 3:
            raise ConfigValueError(
                'SpikeYOLONeck: in_channels must list the channels of P3, '
                f'P4, P5 (three levels), got {in_channels!r}')
        c3, c4, c5 = in_channels
        wide = min(scale_width(512, widen_factor),
                   scale_width(max_channels, widen_factor))
        narrow = scale_width(256, widen_factor)
        layers = dict(neuron_cfg=neuron_cfg, norm_cfg=norm_cfg)
        self.reduce_p5 = MSStandardConv(c5, wide, **layers)
        self.top_down_p4 = MSConvBlock(wide, 3, kernel_size, **layers)
        self.reduce_p4 = MSStandardConv(wide + c4, narrow, **layers)
        self.top_down_p3 = MSAllConvBlock(narrow, 4, kernel_size, **layers)
        self.reduce_p3 = MSStandardConv(narrow + c3, narrow, **layers)
        self.out_p3 = MSAllConvBlock(narrow, 4, kernel_size, **layers)
        self.downsample_p3 = MSStandardConv(narrow, narrow, 3, 2, **layers)
        self.out_p4 = MSConvBlock(2 * narrow, 3, kernel_size, **layers)
        self.downsample_p4 = MSStandardConv(2 * narrow, wide, 3, 2, **layers)
        self.out_p5 = MSConvBlock(2 * wide, last_mlp_ratio, kernel_size,
                                  **layers)
        #: Channels of the three outputs.
        self.out_channels = (narrow, 2 * narrow, 2 * wide)
        self.time_steps = time_steps

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Args:
            inputs (Sequence[Tensor]): P3, P4, P5 currents, each
                ``[T*B, C_i, h_i, w_i]``.

        Returns:
            tuple[Tensor]: Three currents ``[T*B, C, h_i, w_i]``.
        """
        check_time_folded(inputs, self.time_steps, 'SpikeYOLONeck')
        p3, p4, p5 = inputs
        p5 = self.reduce_p5(p5)
        up = self.top_down_p4(F.interpolate(p5, scale_factor=2.))
        p4 = self.reduce_p4(torch.cat((up, p4), 1))
        up = self.top_down_p3(F.interpolate(p4, scale_factor=2.))
        out3 = self.out_p3(self.reduce_p3(torch.cat((up, p3), 1)))
        out4 = self.out_p4(torch.cat((self.downsample_p3(out3), p4), 1))
        out5 = self.out_p5(torch.cat((self.downsample_p4(out4), p5), 1))
        return out3, out4, out5
