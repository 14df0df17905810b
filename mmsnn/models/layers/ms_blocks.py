"""EMS-YOLO's membrane-shortcut residual blocks, time folded.

A block takes real-valued membrane potentials ``[T*B, C, H, W]`` and
returns membrane potentials: its residual branch spikes, then convolves
(spike -> conv -> BN, twice), and its shortcut adds real values, so a
block's output is a sum of currents, not spikes (the next block's first
neuron turns it into spikes). Convs fed by real values (a shortcut without
a neuron) run multiply-accumulates; the energy tool sees their inputs and
counts them so.
"""
import math
from typing import Optional

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor

from ...utils.input_error import ConfigValueError
from .ems_conv import EMS_THRESHOLD, EMSConv

#: A neuron before the conv: spike -> conv -> BN.
SPIKE_CONV_NORM = ('act', 'conv', 'norm')
#: EMS-YOLO's neuron, the blocks' default.
EMS_NEURON_CFG = dict(type='STBPLIFNeuron')
#: EMS-YOLO's layers (``models/common.py``, by class name) as layer configs
#: for :func:`build_ems_layer`; kernel size and stride come from the yaml.
EMS_LAYERS = dict(
    ConcatBlock_ms=dict(type='MSConcatBlock', hidden_ratio=0.5),
    BasicBlock_ms=dict(
        type='MSBasicBlock', hidden_ratio=0.5, spiking_shortcut=False),
    BasicBlock_2=dict(type='MSBasicBlock'),
    BasicBlock_1=dict(type='MSBasicBlock', hidden_channels=1024),
    Concat_res2=dict(type='MSConcatBlock'),
    Conv=dict(type='EMSConv', act_cfg=dict(type='MembraneSiLU')),
)


def _pool(stride: int) -> nn.Module:
    """Max pooling by ``stride`` (EMS-YOLO's ``MaxPool3d((1, s, s))`` on
    ``[T, B, C, H, W]``), or nothing for stride 1."""
    return nn.MaxPool2d(stride, stride) if stride > 1 else nn.Identity()


class MembraneBlock(BaseModule):
    """What EMS-YOLO's residual blocks share: a residual branch of two
    spike -> conv -> BN units and a shortcut added to it.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel of the residual convs (1 or 3 in
            EMS-YOLO; odd). Defaults to 3.
        stride (int): Stride of the first residual conv and of the
            shortcut's pooling. Defaults to 1.
        hidden_ratio (float): Channels between the residual convs are
            ``int(out_channels * hidden_ratio)``. Defaults to 1.0.
        hidden_channels (int, optional): Those channels, if fixed
            (EMS-YOLO's ``BasicBlock_1``: 1024). Defaults to None.
        neuron_cfg (dict): The neurons. Defaults to ``STBPLIFNeuron``.
        conv_cfg, norm_cfg, init_cfg: As mmcv's ``ConvModule`` /
            ``BaseModule``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 3,
                 stride: int = 1,
                 hidden_ratio: float = 1.0,
                 hidden_channels: Optional[int] = None,
                 neuron_cfg: ConfigType = EMS_NEURON_CFG,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size % 2 == 0:
            raise ConfigValueError(
                f'{type(self).__name__}: kernel_size must be odd (the convs '
                f"pad by kernel_size // 2), got {kernel_size!r}")
        hidden = hidden_channels or int(out_channels * hidden_ratio)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.stride = stride
        self.neuron_cfg, self.conv_cfg, self.norm_cfg = \
            dict(neuron_cfg), conv_cfg, norm_cfg
        # BN weights start at the threshold, the branch's last at 1/5 of it
        self.conv1 = self.spiking_conv(in_channels, hidden, kernel_size,
                                       stride)
        self.conv2 = self.spiking_conv(hidden, out_channels, kernel_size,
                                       norm_weight=0.2 * EMS_THRESHOLD)

    def spiking_conv(self,
                     in_channels: int,
                     out_channels: int,
                     kernel_size: int,
                     stride: int = 1,
                     norm_weight: float = EMS_THRESHOLD,
                     spiking: bool = True) -> EMSConv:
        """An ``EMSConv``: (spike ->) conv -> BN."""
        return EMSConv(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            norm_weight=norm_weight,
            act_cfg=self.neuron_cfg if spiking else None,
            order=SPIKE_CONV_NORM,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg)

    def shortcut_forward(self, x: Tensor) -> Tensor:
        """The shortcut's membrane potentials, ``[T*B, out, H/s, W/s]``."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """Args:
            x (Tensor): Membrane potentials ``[T*B, C_in, H, W]``.

        Returns:
            Tensor: Membrane potentials ``[T*B, C_out, H/s, W/s]``.
        """
        return self.conv2(self.conv1(x)) + self.shortcut_forward(x)


@MODELS.register_module()
class MSBasicBlock(MembraneBlock):
    """Membrane-shortcut basic block: EMS-YOLO's ``BasicBlock_ms``,
    ``BasicBlock_2`` and ``BasicBlock_1``.

    Residual: spike -> conv (stride s) -> BN -> spike -> conv -> BN. The
    shortcut is the input itself, or, where the stride or the channels
    change, max-pooled by s, then (spike ->) 1x1 conv -> BN.

    * ``BasicBlock_ms``: ``hidden_ratio=0.5, spiking_shortcut=False`` (the
      shortcut conv runs on membrane potentials, real values);
    * ``BasicBlock_2``: the defaults;
    * ``BasicBlock_1``: ``hidden_channels=1024``.

    Args:
        spiking_shortcut (bool): A neuron before the shortcut conv.
            Defaults to True.
        **kwargs: :class:`MembraneBlock`'s.
    """

    def __init__(self, *args, spiking_shortcut: bool = True,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.spiking_shortcut = spiking_shortcut
        if self.stride != 1 or self.in_channels != self.out_channels:
            self.pool = _pool(self.stride)
            self.shortcut = self.spiking_conv(
                self.in_channels, self.out_channels, 1,
                spiking=spiking_shortcut)
        else:
            self.pool = self.shortcut = None

    def shortcut_forward(self, x: Tensor) -> Tensor:
        return x if self.shortcut is None else self.shortcut(self.pool(x))


@MODELS.register_module()
class MSConcatBlock(MembraneBlock):
    """Concatenating membrane-shortcut block: EMS-YOLO's ``ConcatBlock_ms``
    (``hidden_ratio=0.5``) and ``Concat_res2`` (the default).

    Residual as :class:`MSBasicBlock`. The shortcut keeps the input and adds
    the missing channels: ``concat(spike -> 1x1 conv -> BN (to C_out - C_in
    channels), x)``, then max-pooled by s. So the input's membrane
    potentials reach the output unchanged (only pooled).

    Args:
        **kwargs: :class:`MembraneBlock`'s; ``in_channels`` must be below
            ``out_channels``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.in_channels >= self.out_channels:
            raise ConfigValueError(
                'MSConcatBlock: in_channels must be below out_channels (the '
                'shortcut concatenates the input with out - in new '
                f'channels), got {self.in_channels} -> {self.out_channels}')
        self.shortcut = self.spiking_conv(
            self.in_channels, self.out_channels - self.in_channels, 1)
        self.pool = _pool(self.stride)

    def shortcut_forward(self, x: Tensor) -> Tensor:
        return self.pool(torch.cat([self.shortcut(x), x], dim=1))


def make_divisible(channels: float, divisor: int = 8) -> int:
    """ultralytics' ``make_divisible``: round up to a multiple of
    ``divisor`` (how EMS-YOLO's ``width_multiple`` scales every layer)."""
    return math.ceil(channels / divisor) * divisor


def check_arch(owner: str, arch: str, arch_settings: dict) -> str:
    """Return ``arch`` if ``arch_settings`` has it, else raise naming
    ``owner`` and the archs there are."""
    if arch not in arch_settings:
        raise ConfigValueError(f'{owner}: arch must be one of '
                               f'{list(arch_settings)}, got {arch!r}')
    return arch


def build_ems_layer(cfg: ConfigType, in_channels: int, out_channels: int,
                    neuron_cfg: ConfigType, conv_cfg: OptConfigType,
                    norm_cfg: ConfigType) -> nn.Module:
    """Build one layer of an EMS-YOLO backbone or neck from its config.

    ``cfg`` gives the type and its own arguments (``kernel_size``,
    ``stride``, ``hidden_ratio``...); the channels are the caller's, and
    ``conv_cfg`` / ``norm_cfg`` and (for a :class:`MembraneBlock`) the
    ``neuron_cfg`` are the caller's unless ``cfg`` states them.

    Args:
        cfg (dict): E.g. ``dict(type='MSBasicBlock', kernel_size=1)`` or
            ``dict(type='EMSConv', kernel_size=3,
            act_cfg=dict(type='MembraneSiLU'))``.
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        neuron_cfg, conv_cfg, norm_cfg (dict): The caller's.

    Returns:
        nn.Module: The layer.
    """
    cfg = dict(cfg, in_channels=in_channels, out_channels=out_channels)
    cfg.setdefault('conv_cfg', conv_cfg)
    cfg.setdefault('norm_cfg', norm_cfg)
    layer_type = MODELS.get(cfg['type'])
    if layer_type is None:
        raise ConfigValueError(
            f'EMS-YOLO layer type {cfg["type"]!r} is not registered (e.g. '
            "'MSBasicBlock', 'MSConcatBlock', 'EMSConv')")
    if issubclass(layer_type, MembraneBlock):
        cfg.setdefault('neuron_cfg', neuron_cfg)
    return MODELS.build(cfg)
