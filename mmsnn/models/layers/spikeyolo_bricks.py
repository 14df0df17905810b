"""SpikeYOLO's building blocks (Luo et al., ECCV 2024), time-folded.

Every block takes and returns real-valued currents ``[T*B, C, H, W]``
(membrane inputs); neurons sit at the entry of each conv: a block fires its
input (``lif``), the spikes drive a conv, BN follows, and residuals add
currents (membrane shortcuts). Submodule names follow the authors' code
(``Conv.pwconv1``, ``conv1.body.0``, ``encode_conv``, ...), so their
checkpoints map onto these modules key by key
(:mod:`mmsnn.conversion.spikeyolo`).

Two blocks are *re-parameterisable*: :class:`RepConv` and
:class:`SepRepConv` chain linear ops (1x1 conv, BN, depth-wise kxk conv)
that collapse into one kxk conv at inference (:meth:`ReparamConv.fuse`,
:func:`reparameterize`); then every neuron feeds exactly one conv, which
spike-driven inference needs (:class:`~mmsnn.models.neurons.ILIFNeuron`).
"""
import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor

from ..neurons.ilif_neuron import ILIFNeuron

#: SpikeYOLO's neuron: I-LIF with D = 4, leak 0.25 (their ``mem_update``).
SPIKEYOLO_NEURON_CFG = dict(type='ILIFNeuron', max_spike_count=4, decay=0.25)
#: Their BN after ultralytics' ``initialize_weights``.
SPIKEYOLO_NORM_CFG = dict(type='BN', eps=1e-3, momentum=0.03)


def scale_width(channels: int, widen_factor: float) -> int:
    """Channels of a scaled layer: ``int(channels * widen_factor)`` (the
    rounding of their ``parse_model`` for these blocks)."""
    return int(channels * widen_factor)


def scale_depth(num_blocks: int, deepen_factor: float) -> int:
    """Blocks of a scaled stage: ``max(round(n * deepen), 1)`` for n > 1."""
    return max(round(num_blocks * deepen_factor), 1) if num_blocks > 1 \
        else num_blocks


def make_divisible(channels: float, divisor: int = 8) -> int:
    """The smallest multiple of ``divisor`` not below ``channels``."""
    return math.ceil(channels / divisor) * divisor


def fire(neuron: nn.Module, layer: nn.Module, x: Tensor) -> Tensor:
    """``layer`` fed by ``neuron``'s spikes of current ``x`` (through
    :meth:`ILIFNeuron.drive`, which runs spike-driven when asked)."""
    if isinstance(neuron, ILIFNeuron):
        return neuron.drive(layer, x)
    return layer(neuron(x))


def build_norm(norm_cfg: ConfigType, channels: int) -> nn.Module:
    """A norm layer of ``norm_cfg`` (mmcv's ``build_norm_layer``)."""
    return build_norm_layer(norm_cfg, channels)[1]


def bn_affine(bn: nn.Module) -> Tuple[Tensor, Tensor]:
    """``(scale, shift)`` with ``bn(x) = scale * x + shift`` per channel
    (inference statistics)."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


class BNAndPad(nn.Module):
    """BN, then a border of ``pad`` pixels holding ``BN(0)``: padding the
    input with zeros before BN, so a following unpadded conv composes with
    the convs before into one padded conv.

    Args:
        pad (int): Border width.
        channels (int): Channels.
        norm_cfg (dict): Norm config. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self, pad: int, channels: int,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        self.bn = build_norm(norm_cfg, channels)
        self.pad = pad

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn(x)
        if not self.pad:
            return out
        _, shift = bn_affine(self.bn)
        n, c, h, w = out.shape
        p = self.pad
        padded = shift.detach().view(1, c, 1, 1).expand(
            n, c, h + 2 * p, w + 2 * p).clone()
        padded[:, :, p:p + h, p:p + w] = out
        return padded


class ReparamConv(nn.Module):
    """A chain of linear ops (``body``, built by :meth:`build_body`) equal
    to one ``kernel_size`` conv ``in_channels -> out_channels`` with bias at
    inference: :meth:`fuse` gives its weight and bias.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): k. Defaults to 3.
        norm_cfg (dict): Norm config. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.body = self.build_body(in_channels, out_channels, kernel_size,
                                    norm_cfg)

    def build_body(self, in_channels: int, out_channels: int,
                   kernel_size: int, norm_cfg: ConfigType) -> nn.Sequential:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        return self.body(x)

    def fuse(self) -> Tuple[Tensor, Tensor]:
        """``(weight [C_out, C_in, k, k], bias [C_out])`` of the equal conv
        (stride 1, zero padding ``k // 2``), from the BN running stats."""
        raise NotImplementedError

    def as_conv(self) -> nn.Conv2d:
        """The equal ``nn.Conv2d`` (inference)."""
        weight, bias = self.fuse()
        conv = nn.Conv2d(weight.shape[1], weight.shape[0], self.kernel_size,
                         padding=self.kernel_size // 2).to(weight)
        conv.weight.data.copy_(weight)
        conv.bias.data.copy_(bias)
        return conv


class RepConv(ReparamConv):
    """1x1 conv, BN (padded), depth-wise kxk conv, 1x1 conv, BN: a kxk conv
    once fused (their ``RepConv``; arguments as :class:`ReparamConv`)."""

    def build_body(self, in_channels: int, out_channels: int,
                   kernel_size: int, norm_cfg: ConfigType) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(in_channels, in_channels, 1, bias=False),
            BNAndPad(kernel_size // 2, in_channels, norm_cfg),
            nn.Sequential(
                nn.Conv2d(in_channels, in_channels, kernel_size,
                          groups=in_channels, bias=False),
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                build_norm(norm_cfg, out_channels)))

    def fuse(self) -> Tuple[Tensor, Tensor]:
        first, bn_pad, (depthwise, pointwise, bn) = self.body
        a1, c1 = bn_affine(bn_pad.bn)
        a2, c2 = bn_affine(bn)
        k = depthwise.weight[:, 0]  # [C_in, k, k]
        w_out = pointwise.weight[:, :, 0, 0] * a2[:, None]  # [C_out, C_in]
        # W[o, j] = sum_i w_out[o, i] k[i] a1[i] W0[i, j]
        mid = k * a1[:, None, None]
        weight = torch.einsum('oi,ixy,ij->ojxy', w_out, mid,
                              first.weight[:, :, 0, 0])
        bias = w_out @ (c1 * k.sum((1, 2))) + c2
        return weight, bias


class SepRepConv(ReparamConv):
    """BN (padded), 1x1 conv, depth-wise kxk conv: a kxk conv once fused
    (their ``SepRepConv``; arguments as :class:`ReparamConv`)."""

    def build_body(self, in_channels: int, out_channels: int,
                   kernel_size: int, norm_cfg: ConfigType) -> nn.Sequential:
        return nn.Sequential(
            BNAndPad(kernel_size // 2, in_channels, norm_cfg),
            nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.Conv2d(out_channels, out_channels, kernel_size,
                          groups=out_channels, bias=False)))

    def fuse(self) -> Tuple[Tensor, Tensor]:
        bn_pad, (pointwise, depthwise) = self.body
        a, c = bn_affine(bn_pad.bn)
        w = pointwise.weight[:, :, 0, 0]  # [C_out, C_in]
        k = depthwise.weight[:, 0]  # [C_out, k, k]
        weight = k[:, None] * (w * a)[:, :, None, None]
        bias = (w @ c) * k.sum((1, 2))
        return weight, bias


def reparameterize(model: nn.Module) -> int:
    """Replace every :class:`ReparamConv` of ``model`` by its equal conv,
    in place (inference: BN running statistics are folded in).

    Args:
        model (nn.Module): Any model.

    Returns:
        int: How many blocks were replaced.
    """
    replaced = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, ReparamConv):
                with torch.no_grad():
                    setattr(parent, name, child.as_conv())
                replaced += 1
    return replaced


def build_neuron(neuron_cfg: ConfigType) -> nn.Module:
    """A neuron from its config (a new module each call)."""
    return MODELS.build(dict(neuron_cfg))


class MSStandardConv(nn.Module):
    """Fire, conv (no bias), BN: their ``MS_StandardConv`` (and the head's
    ``SpikeConv``, the same layers).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size. Defaults to 1.
        stride (int): Stride (padding ``k // 2``). Defaults to 1.
        neuron_cfg (dict): Neuron. Defaults to ``SPIKEYOLO_NEURON_CFG``.
        norm_cfg (dict): Norm. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 stride: int = 1,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                              kernel_size // 2, bias=False)
        self.bn = build_norm(norm_cfg, out_channels)
        self.lif = build_neuron(neuron_cfg)

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(fire(self.lif, self.conv, x))


class SpikePredConv(nn.Module):
    """Fire, conv with bias: a prediction layer (their
    ``SpikeConvWithoutBN``).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        neuron_cfg (dict): Neuron. Defaults to ``SPIKEYOLO_NEURON_CFG``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.lif = build_neuron(neuron_cfg)

    def forward(self, x: Tensor) -> Tensor:
        return fire(self.lif, self.conv, x)


class SepConv(nn.Module):
    """Inverted separable conv of spiking layers (their ``SepConv``): fire,
    1x1 conv to ``2 * channels``, BN; fire, depth-wise kxk conv, BN; fire,
    :class:`SepRepConv` back to ``channels``, BN.

    Args:
        channels (int): Input and output channels.
        kernel_size (int): k of the depth-wise conv. Defaults to 7.
        expansion (int): Hidden channels over ``channels``. Defaults to 2.
        neuron_cfg (dict): Neurons. Defaults to ``SPIKEYOLO_NEURON_CFG``.
        norm_cfg (dict): Norms. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self,
                 channels: int,
                 kernel_size: int = 7,
                 expansion: int = 2,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        hidden = int(expansion * channels)
        self.pwconv1 = nn.Conv2d(channels, hidden, 1, bias=False)
        self.dwconv2 = nn.Conv2d(hidden, hidden, kernel_size,
                                 padding=kernel_size // 2, groups=hidden,
                                 bias=False)
        self.pwconv3 = SepRepConv(hidden, channels, norm_cfg=norm_cfg)
        self.bn1 = build_norm(norm_cfg, hidden)
        self.bn2 = build_norm(norm_cfg, hidden)
        self.bn3 = build_norm(norm_cfg, channels)
        self.lif1 = build_neuron(neuron_cfg)
        self.lif2 = build_neuron(neuron_cfg)
        self.lif3 = build_neuron(neuron_cfg)

    def forward(self, x: Tensor) -> Tensor:
        x = self.bn1(fire(self.lif1, self.pwconv1, x))
        x = self.bn2(fire(self.lif2, self.dwconv2, x))
        return self.bn3(fire(self.lif3, self.pwconv3, x))


class MSBlock(nn.Module):
    """A meta-SNN block: ``x + SepConv(x)``, then a residual spiking MLP
    (``channels -> mlp_ratio * channels -> channels``) that a subclass
    builds (:meth:`build_mlp`) and runs (:meth:`mlp`).

    Args:
        channels (int): Input and output channels.
        mlp_ratio (float): Hidden channels over ``channels``. Defaults to 4.
        kernel_size (int): k of the SepConv. Defaults to 7.
        neuron_cfg (dict): Neurons. Defaults to ``SPIKEYOLO_NEURON_CFG``.
        norm_cfg (dict): Norms. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self,
                 channels: int,
                 mlp_ratio: float = 4.,
                 kernel_size: int = 7,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        self.Conv = SepConv(channels, kernel_size, neuron_cfg=neuron_cfg,
                            norm_cfg=norm_cfg)
        self.build_mlp(channels, int(channels * mlp_ratio), neuron_cfg,
                       norm_cfg)

    def build_mlp(self, channels: int, hidden: int, neuron_cfg: ConfigType,
                  norm_cfg: ConfigType) -> None:
        raise NotImplementedError

    def mlp(self, x: Tensor) -> Tensor:
        """The MLP on the current ``x`` (``[T*B, C, H, W]``)."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        x = self.Conv(x) + x
        return x + self.mlp(x)


class MSConvBlock(MSBlock):
    """Their ``MS_ConvBlock``: :class:`MSBlock` whose MLP is two fired
    :class:`RepConv` with BN (arguments as :class:`MSBlock`)."""

    def build_mlp(self, channels: int, hidden: int, neuron_cfg: ConfigType,
                  norm_cfg: ConfigType) -> None:
        self.lif1 = build_neuron(neuron_cfg)
        self.lif2 = build_neuron(neuron_cfg)
        self.conv1 = RepConv(channels, hidden, norm_cfg=norm_cfg)
        self.bn1 = build_norm(norm_cfg, hidden)
        self.conv2 = RepConv(hidden, channels, norm_cfg=norm_cfg)
        self.bn2 = build_norm(norm_cfg, channels)

    def mlp(self, x: Tensor) -> Tensor:
        y = self.bn1(fire(self.lif1, self.conv1, x))
        return self.bn2(fire(self.lif2, self.conv2, y))


class MSAllConvBlock(MSBlock):
    """Their ``MS_AllConvBlock``: :class:`MSBlock` whose MLP is two 3x3
    :class:`MSStandardConv` (arguments as :class:`MSBlock`)."""

    def build_mlp(self, channels: int, hidden: int, neuron_cfg: ConfigType,
                  norm_cfg: ConfigType) -> None:
        layers = dict(neuron_cfg=neuron_cfg, norm_cfg=norm_cfg)
        self.conv1 = MSStandardConv(channels, hidden, 3, **layers)
        self.conv2 = MSStandardConv(hidden, channels, 3, **layers)

    def mlp(self, x: Tensor) -> Tensor:
        return self.conv2(self.conv1(x))


class MSDownSampling(nn.Module):
    """Fire (except on the first layer, fed the image), strided conv with
    bias, BN: their ``MS_DownSampling``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size. Defaults to 3.
        stride (int): Stride. Defaults to 2.
        padding (int): Padding. Defaults to 1.
        first_layer (bool): No neuron: the input is the image (or event
            frames). Defaults to False.
        neuron_cfg (dict): Neuron. Defaults to ``SPIKEYOLO_NEURON_CFG``.
        norm_cfg (dict): Norm. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 3,
                 stride: int = 2,
                 padding: int = 1,
                 first_layer: bool = False,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        self.encode_conv = nn.Conv2d(in_channels, out_channels, kernel_size,
                                     stride, padding)
        self.encode_bn = build_norm(norm_cfg, out_channels)
        self.encode_lif: Optional[nn.Module] = None if first_layer else \
            build_neuron(neuron_cfg)

    def forward(self, x: Tensor) -> Tensor:
        if self.encode_lif is None:
            return self.encode_bn(self.encode_conv(x))
        return self.encode_bn(fire(self.encode_lif, self.encode_conv, x))


class SpikeSPPF(nn.Module):
    """Spatial pyramid pooling, fast, on currents: a fired 1x1 conv to
    ``in_channels // 2``, three chained max-pools, concat, a fired 1x1 conv
    (their ``SpikeSPPF``).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Max-pool kernel. Defaults to 5.
        neuron_cfg (dict): Neurons. Defaults to ``SPIKEYOLO_NEURON_CFG``.
        norm_cfg (dict): Norms. Defaults to ``SPIKEYOLO_NORM_CFG``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 5,
                 neuron_cfg: ConfigType = SPIKEYOLO_NEURON_CFG,
                 norm_cfg: ConfigType = SPIKEYOLO_NORM_CFG) -> None:
        super().__init__()
        hidden = in_channels // 2
        self.cv1 = MSStandardConv(in_channels, hidden, neuron_cfg=neuron_cfg,
                                  norm_cfg=norm_cfg)
        self.cv2 = MSStandardConv(hidden * 4, out_channels,
                                  neuron_cfg=neuron_cfg, norm_cfg=norm_cfg)
        self.kernel_size = kernel_size

    def forward(self, x: Tensor) -> Tensor:
        x = self.cv1(x)
        pools = [x]
        for _ in range(3):
            pools.append(F.max_pool2d(pools[-1], self.kernel_size, 1,
                                      self.kernel_size // 2))
        return self.cv2(torch.cat(pools, 1))
