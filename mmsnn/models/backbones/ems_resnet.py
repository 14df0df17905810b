"""EMS-YOLO's spiking ResNets with membrane shortcuts (Su et al., 2023)."""
from typing import Sequence, Tuple

import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_TIME_STEPS
from ..layers.ems_conv import EMSConv
from ..layers.ms_blocks import (EMS_LAYERS, EMS_NEURON_CFG, build_ems_layer,
                                check_arch, make_divisible)
from ..time.folding import mark_time_folded, repeat_over_time
from ..time.owner import TimeStepsMixin
from .encoding import check_encoding, check_sequence_input

_EE_DOWN = EMS_LAYERS['ConcatBlock_ms']
_EE_BLOCK = EMS_LAYERS['BasicBlock_ms']
_RES = EMS_LAYERS['BasicBlock_2']
_CAT = EMS_LAYERS['Concat_res2']


@MODELS.register_module()
class EMSResNet(TimeStepsMixin, BaseModule):
    """The backbones of EMS-YOLO's model yamls, time folded.

    A stem (conv + BN, no activation: the encoding layer, whose real-valued
    output the first block's neurons turn into spikes) and four stages at
    strides 4, 8, 16, 32, each a downsampling block (stride 2) and
    ``num_blocks`` blocks (stride 1) of 64, 128, 256 and 512 channels
    (times ``widen_factor``). Blocks pass membrane potentials to each other
    (:mod:`~mmsnn.models.layers.ms_blocks`).

    Archs (EMS-YOLO's yaml of the same name; stem, then per stage the
    downsampling block + the number of blocks after it):

    * ``res10-ee``: ``Conv_2`` (32, 3x3); ``ConcatBlock_ms`` + 0.
    * ``res18-ee``: ``Conv_2`` (32, 3x3); ``ConcatBlock_ms`` + 1
      ``BasicBlock_ms``.
    * ``resnet10``: ``Conv_1`` (64, 7x7); ``BasicBlock_2`` + 0, then
      ``Concat_res2`` + 0.
    * ``resnet18``: ``Conv_1`` (64, 7x7); ``BasicBlock_2`` + 1.
    * ``resnet34``: ``Conv_1`` (64, 7x7); ``BasicBlock_2`` + 2, 3, 5, 2.
    * ``resnet34-cat`` (the architecture of their released COCO
      checkpoint): as ``resnet34``, stages 2-4 downsampled by
      ``Concat_res2``.

    (The ``g1-resnet/models/`` yamls for Gen1 have the same layers.)

    With ``encoding='direct'`` (images) the stem runs once on the image and
    its output is repeated over T, as EMS-YOLO runs it on T copies; with
    ``'sequence'`` the input is a time-folded sequence of frames (events).

    Args:
        arch (str): One of :attr:`arch_settings`. Defaults to
            ``'res10-ee'``.
        in_channels (int): Input channels. Defaults to 3.
        widen_factor (float): EMS-YOLO's ``width_multiple``: every layer's
            channels ``c`` become ``make_divisible(c * widen_factor, 8)``.
            Defaults to 1.0.
        out_indices (Sequence[int]): Stages (0-3) to output. Defaults to
            (2, 3): strides 16 and 32, the neck's inputs.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): The blocks' neurons. Defaults to
            ``STBPLIFNeuron`` (EMS-YOLO's).
        encoding (str): ``'direct'`` or ``'sequence'``. Defaults to
            ``'direct'``.
        encode_once (bool): Run the stem once on the image, not on T copies
            (same outputs; BN's running variance differs by the sample count
            of its unbiased estimate). Defaults to True.
        conv_cfg, norm_cfg, init_cfg: As mmdet's backbones.

    Shapes:
        input ``[B, C, H, W]`` (direct) or ``[T*B, C, H, W]`` (sequence);
        outputs ``[T*B, C_i, H/s_i, W/s_i]`` membrane potentials.
    """

    #: Per arch: stem (channels, kernel) and per stage (down layer, layer,
    #: number of layers after the down layer).
    arch_settings = {
        'res10-ee': ((32, 3), ((_EE_DOWN, _EE_BLOCK, 0), ) * 4),
        'res18-ee': ((32, 3), ((_EE_DOWN, _EE_BLOCK, 1), ) * 4),
        'resnet10': ((64, 7), ((_RES, _RES, 0), ) + ((_CAT, _RES, 0), ) * 3),
        'resnet18': ((64, 7), ((_RES, _RES, 1), ) * 4),
        'resnet34': ((64, 7), ((_RES, _RES, 2), (_RES, _RES, 3),
                               (_RES, _RES, 5), (_RES, _RES, 2))),
        'resnet34-cat': ((64, 7), ((_RES, _RES, 2), (_CAT, _RES, 3),
                                   (_CAT, _RES, 5), (_CAT, _RES, 2))),
    }
    stage_channels = (64, 128, 256, 512)

    def __init__(self,
                 arch: str = 'res10-ee',
                 in_channels: int = 3,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (2, 3),
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = EMS_NEURON_CFG,
                 encoding: str = 'direct',
                 encode_once: bool = True,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = check_arch('EMSResNet', arch, self.arch_settings)
        if not set(out_indices) <= {0, 1, 2, 3}:
            raise ConfigValueError('EMSResNet: out_indices must be stages '
                                   f'0-3, got {tuple(out_indices)}')
        (stem_channels, stem_kernel), stages = self.arch_settings[arch]
        self.out_indices = tuple(out_indices)
        self.encoding = check_encoding(encoding, 'EMSResNet')
        self.encode_once = encode_once
        channels = make_divisible(stem_channels * widen_factor)
        self.stem = EMSConv(in_channels, channels, stem_kernel, 2,
                            conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.out_channels = []
        for i, ((down, block, num_blocks), width) in enumerate(
                zip(stages, self.stage_channels)):
            width = make_divisible(width * widen_factor)
            layers = [build_ems_layer(dict(down, stride=2), channels, width,
                                      neuron_cfg, conv_cfg, norm_cfg)]
            layers += [
                build_ems_layer(block, width, width, neuron_cfg, conv_cfg,
                                norm_cfg) for _ in range(num_blocks)
            ]
            self.add_module(f'layer{i + 1}', nn.Sequential(*layers))
            self.out_channels.append(width)
            channels = width
        self.time_steps = time_steps

    def encode(self, x: Tensor) -> Tensor:
        """The stem: ``[B, C, H, W]`` (direct) or ``[T*B, C, H, W]``
        (sequence) -> ``[T*B, C_stem, H/2, W/2]`` real values."""
        if self.encoding == 'sequence':
            check_sequence_input(x, self.time_steps, 'EMSResNet')
            return self.stem(x)
        if self.encode_once:
            return repeat_over_time(self.stem(x), self.time_steps)
        return self.stem(repeat_over_time(x, self.time_steps))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Args:
            x (Tensor): Images ``[B, C, H, W]``, or with
                ``encoding='sequence'`` frames ``[T*B, C, H, W]``.

        Returns:
            tuple[Tensor]: Membrane potentials of the stages at
            ``out_indices``, each ``[T*B, C_i, h_i, w_i]``.
        """
        x = self.encode(x)
        outs = []
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
            if i in self.out_indices:
                outs.append(x)
        return mark_time_folded(tuple(outs), self.time_steps)
