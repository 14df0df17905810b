"""EMS-YOLO's two-level neck (tiny-YOLOv3's layout), time folded."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..layers.ms_blocks import (EMS_LAYERS, EMS_NEURON_CFG, build_ems_layer,
                                check_arch, make_divisible)
from ..time.folding import check_time_folded, mark_time_folded
from ..time.owner import TimeStepsMixin


def _layers(top, p5, lateral, p4):
    """The four layer configs of an arch (EMS-YOLO's layer names), with
    the yamls' kernels: 3x3, 3x3, 1x1, 3x3."""
    return tuple(
        dict(EMS_LAYERS[name], kernel_size=k)
        for name, k in ((top, 3), (p5, 3), (lateral, 1), (p4, 3)))


@MODELS.register_module()
class EMSYOLONeck(TimeStepsMixin, BaseModule):
    """The neck of EMS-YOLO's yamls: layers 9-14, two output levels.

    From the stride-32 feature ``c5`` and the stride-16 feature ``c4``::

        top = top_layer(c5)                          # 256 ch  (layer 9)
        p5  = p5_layer(top)                          # 512 ch  (layer 10)
        p4  = p4_layer(concat(up2(lateral_layer(top)), c4))
                                                     # 256 ch  (layers 11-14)

    ``lateral_layer`` (128 ch) is a 1x1 block, ``up2`` nearest upsampling.
    Outputs are ordered ``(p4, p5)``, strides 16 and 32, as EMS-YOLO's
    ``Detect`` takes them. The layer types per ``arch``:

    * ``res10-ee``, ``res18-ee``: ``BasicBlock_ms``, ``ConcatBlock_ms``,
      ``BasicBlock_ms`` (1x1), ``BasicBlock_ms``;
    * ``resnet18``, ``resnet34-cat``: ``BasicBlock_2``, ``Conv``,
      ``BasicBlock_2`` (1x1), ``Conv`` (``Conv``: conv + BN +
      ``MembraneSiLU``, real-valued outputs);
    * ``resnet10``, ``resnet34``: ``BasicBlock_1``, ``BasicBlock_2``,
      ``BasicBlock_2`` (1x1), ``BasicBlock_2``.

    Args:
        in_channels (Sequence[int]): Channels of ``(c4, c5)``.
        arch (str): One of :attr:`arch_settings`. Defaults to
            ``'res10-ee'``.
        widen_factor (float): EMS-YOLO's ``width_multiple`` for the neck's
            channels (256, 512, 128, 256). Defaults to 1.0.
        layer_cfgs (Sequence[dict], optional): The four layer configs
            (top, p5, lateral, p4), replacing the arch's. Defaults to None.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): The blocks' neurons. Defaults to
            ``STBPLIFNeuron``.
        conv_cfg, norm_cfg, init_cfg: As mmdet's necks.

    Shapes:
        inputs ``[T*B, C_i, h_i, w_i]`` (c4, c5); outputs
        ``[T*B, 256 w, h/16, w/16]`` and ``[T*B, 512 w, h/32, w/32]``.
    """

    arch_settings = {
        'res10-ee': _layers('BasicBlock_ms', 'ConcatBlock_ms',
                            'BasicBlock_ms', 'BasicBlock_ms'),
        'res18-ee': _layers('BasicBlock_ms', 'ConcatBlock_ms',
                            'BasicBlock_ms', 'BasicBlock_ms'),
        'resnet10': _layers('BasicBlock_1', 'BasicBlock_2', 'BasicBlock_2',
                            'BasicBlock_2'),
        'resnet18': _layers('BasicBlock_2', 'Conv', 'BasicBlock_2', 'Conv'),
        'resnet34': _layers('BasicBlock_1', 'BasicBlock_2', 'BasicBlock_2',
                            'BasicBlock_2'),
        'resnet34-cat': _layers('BasicBlock_2', 'Conv', 'BasicBlock_2',
                                'Conv'),
    }

    def __init__(self,
                 in_channels: Sequence[int],
                 arch: str = 'res10-ee',
                 widen_factor: float = 1.0,
                 layer_cfgs: Optional[Sequence[ConfigType]] = None,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = EMS_NEURON_CFG,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = check_arch('EMSYOLONeck', arch, self.arch_settings)
        if len(in_channels) != 2:
            raise ConfigValueError(
                'EMSYOLONeck: in_channels must be the channels of the '
                f'stride-16 and stride-32 features, got {in_channels!r}')
        top_cfg, p5_cfg, lateral_cfg, p4_cfg = \
            layer_cfgs or self.arch_settings[arch]
        c4, c5 = in_channels
        top, p5, lateral, p4 = (make_divisible(c * widen_factor)
                                for c in (256, 512, 128, 256))

        def build(cfg, cin, cout):
            return build_ems_layer(cfg, cin, cout, neuron_cfg, conv_cfg,
                                   norm_cfg)

        self.top_layer = build(top_cfg, c5, top)
        self.p5_layer = build(p5_cfg, top, p5)
        self.lateral_layer = build(lateral_cfg, top, lateral)
        self.upsample = nn.Upsample(scale_factor=2, mode='nearest')
        self.p4_layer = build(p4_cfg, lateral + c4, p4)
        self.out_channels = (p4, p5)
        self.time_steps = time_steps

    def forward(self, feats: Tuple[Tensor, Tensor]) -> Tuple[Tensor, Tensor]:
        """Args:
            feats (tuple[Tensor]): ``(c4, c5)``, ``[T*B, C_i, h_i, w_i]``.

        Returns:
            tuple[Tensor]: ``(p4, p5)``, ``[T*B, C, h, w]``.
        """
        check_time_folded(feats, self.time_steps, 'EMSYOLONeck')
        c4, c5 = feats
        top = self.top_layer(c5)
        p5 = self.p5_layer(top)
        up = self.upsample(self.lateral_layer(top))
        p4 = self.p4_layer(torch.cat([up, c4], dim=1))
        return mark_time_folded((p4, p5), self.time_steps)
