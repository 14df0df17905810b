"""A compact re-implementation of BICLab/SpikeYOLO's model, written for the
tests from reading their ``ultralytics/nn/modules/yolo_spikformer.py`` and
``ultralytics/cfg/models/v8/snn_yolov8.yaml`` (commit 309ef5e).

It works as theirs does, on ``[T, B, C, H, W]`` tensors, with their module
names, so its ``state_dict`` has their keys (``model.{i}.Conv.pwconv1
.weight`` ...): it gives their outputs to compare mmsnn's with, and
synthetic checkpoints in their format. (Checked once against their code on
CPU on the same weights: equal outputs.)
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

#: The yaml's layers: (from, repeats, module, args).
YAML = [
    (-1, 1, 'GetT', []),
    (-1, 1, 'Down', [128, 7, 4, 2, True]),
    (-1, 3, 'AllConvBlock', [4, 7]),
    (-1, 1, 'Down', [256, 3, 2, 1, False]),
    (-1, 6, 'AllConvBlock', [4, 7]),
    (-1, 1, 'Down', [512, 3, 2, 1, False]),
    (-1, 9, 'ConvBlock', [3, 7]),
    (-1, 1, 'Down', [1024, 3, 2, 1, False]),
    (-1, 3, 'ConvBlock', [2, 7]),
    (-1, 1, 'SPPF', [1024, 5]),
    (-1, 1, 'StdConv', [512, 1, 1]),
    (-1, 1, 'Up', []),
    (-1, 1, 'ConvBlock', [3, 7]),
    ([-1, 6], 1, 'Concat', []),
    (-1, 1, 'StdConv', [256, 1, 1]),
    (-1, 1, 'Up', []),
    (-1, 1, 'AllConvBlock', [4, 7]),
    ([-1, 4], 1, 'Concat', []),
    (-1, 1, 'StdConv', [256, 1, 1]),
    (-1, 1, 'AllConvBlock', [4, 7]),
    (-1, 1, 'StdConv', [256, 3, 2]),
    ([-1, 14], 1, 'Concat', []),
    (-1, 1, 'ConvBlock', [3, 7]),
    (-1, 1, 'StdConv', [512, 3, 2]),
    ([-1, 10], 1, 'Concat', []),
    (-1, 1, 'ConvBlock', [1, 7]),  # [2, 7] for the m and l scales
    ([19, 22, 25], 1, 'Detect', []),
]
#: Their scales: depth, width, max channels.
SCALES = dict(n=(0.33, 0.375, 1024), s=(0.33, 0.5, 1024),
              m=(0.5, 0.625, 7024), l=(0.5, 0.75, 1024))
DECAY, D = 0.25, 4


class _Quant(torch.autograd.Function):
    """round(clamp(x, 0, D)), gradient passed inside [0, D] (their
    ``MultiSpike{D}``)."""

    @staticmethod
    def forward(ctx, x, max_spike):
        ctx.save_for_backward(x)
        ctx.max_spike = max_spike
        return torch.round(torch.clamp(x, 0, max_spike))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        inside = (x >= 0) & (x <= ctx.max_spike)
        return grad * inside.to(grad), None


def lif(x, max_spike=D, decay=DECAY):
    """Their ``mem_update`` over dim 0 (T): ``mem = (mem_old -
    spike.detach()) * decay + x[t]``."""
    out, mem, spike = [], None, None
    for x_t in x:
        mem = x_t if mem is None else (mem - spike.detach()) * decay + x_t
        spike = _Quant.apply(mem, max_spike)
        out.append(spike)
    return torch.stack(out)


def per_step(fn, x):
    """A 4-d op on ``[T, B, ...]`` (flattened, as theirs)."""
    y = fn(x.flatten(0, 1))
    return y.view(*x.shape[:2], *y.shape[1:])


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.03)


class BNPad(nn.Module):

    def __init__(self, pad, c):
        super().__init__()
        self.bn, self.pad = bn(c), pad

    def forward(self, x):
        y, p = self.bn(x), self.pad
        b = self.bn
        value = (b.bias - b.running_mean * b.weight /
                 torch.sqrt(b.running_var + b.eps)).detach().view(1, -1, 1, 1)
        y = F.pad(y, [p] * 4)
        y[:, :, :p], y[:, :, -p:] = value, value
        y[:, :, :, :p], y[:, :, :, -p:] = value, value
        return y


class RepConv(nn.Module):

    def __init__(self, c1, c2, k=3):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c1, c1, 1, bias=False), BNPad(k // 2, c1),
            nn.Sequential(nn.Conv2d(c1, c1, k, groups=c1, bias=False),
                          nn.Conv2d(c1, c2, 1, bias=False), bn(c2)))

    def forward(self, x):
        return self.body(x)


class SepRepConv(nn.Module):

    def __init__(self, c1, c2, k=3):
        super().__init__()
        self.body = nn.Sequential(
            BNPad(k // 2, c1),
            nn.Sequential(nn.Conv2d(c1, c2, 1, bias=False),
                          nn.Conv2d(c2, c2, k, groups=c2, bias=False)))

    def forward(self, x):
        return self.body(x)


class SepConv(nn.Module):

    def __init__(self, c, k):
        super().__init__()
        self.pwconv1 = nn.Conv2d(c, 2 * c, 1, bias=False)
        self.dwconv2 = nn.Conv2d(2 * c, 2 * c, k, padding=k // 2,
                                 groups=2 * c, bias=False)
        self.pwconv3 = SepRepConv(2 * c, c)
        self.bn1, self.bn2, self.bn3 = bn(2 * c), bn(2 * c), bn(c)

    def forward(self, x):
        x = per_step(lambda s: self.bn1(self.pwconv1(s)), lif(x))
        x = per_step(lambda s: self.bn2(self.dwconv2(s)), lif(x))
        return per_step(lambda s: self.bn3(self.pwconv3(s)), lif(x))


class StdConv(nn.Module):

    def __init__(self, c1, c2, k=1, s=1, bias=False, norm=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=bias)
        if norm:
            self.bn = bn(c2)

    def forward(self, x):
        f = getattr(self, 'bn', nn.Identity())
        return per_step(lambda s: f(self.conv(s)), lif(x))


class ConvBlock(nn.Module):

    def __init__(self, c, ratio, k):
        super().__init__()
        self.Conv = SepConv(c, k)
        self.conv1, self.bn1 = RepConv(c, int(c * ratio)), bn(int(c * ratio))
        self.conv2, self.bn2 = RepConv(int(c * ratio), c), bn(c)

    def forward(self, x):
        x = self.Conv(x) + x
        y = per_step(lambda s: self.bn1(self.conv1(s)), lif(x))
        return x + per_step(lambda s: self.bn2(self.conv2(s)), lif(y))


class AllConvBlock(nn.Module):

    def __init__(self, c, ratio, k):
        super().__init__()
        self.Conv = SepConv(c, k)
        self.conv1 = StdConv(c, int(c * ratio), 3)
        self.conv2 = StdConv(int(c * ratio), c, 3)

    def forward(self, x):
        x = self.Conv(x) + x
        return x + self.conv2(self.conv1(x))


class Down(nn.Module):

    def __init__(self, c1, c2, k, s, p, first):
        super().__init__()
        self.encode_conv = nn.Conv2d(c1, c2, k, s, p)
        self.encode_bn = bn(c2)
        self.first = first

    def forward(self, x):
        return per_step(lambda s: self.encode_bn(self.encode_conv(s)),
                        x if self.first else lif(x))


class SPPF(nn.Module):

    def __init__(self, c1, c2, k):
        super().__init__()
        self.cv1, self.cv2 = StdConv(c1, c1 // 2), StdConv(c1 // 2 * 4, c2)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        ys = [self.cv1(x)]
        for _ in range(3):
            ys.append(per_step(self.m, ys[-1]))
        return self.cv2(torch.cat(ys, 2))


class DFL(nn.Module):

    def __init__(self, c1=16):
        super().__init__()
        self.conv = nn.Conv2d(c1, 1, 1, bias=False).requires_grad_(False)
        self.conv.weight.data[:] = torch.arange(
            c1, dtype=torch.float).view(1, c1, 1, 1)


class Detect(nn.Module):

    def __init__(self, nc, ch, reg_max=16):
        super().__init__()
        c2, c3 = max(16, ch[0] // 4, reg_max * 4), max(ch[0], min(nc, 100))

        def branch(c, h, o):
            return nn.Sequential(StdConv(c, h, 3), StdConv(h, h, 3),
                                 StdConv(h, o, bias=True, norm=False))

        self.cv2 = nn.ModuleList(branch(c, c2, 4 * reg_max) for c in ch)
        self.cv3 = nn.ModuleList(branch(c, c3, nc) for c in ch)
        self.dfl = DFL(reg_max)

    def forward(self, xs):
        return [torch.cat((a(x), b(x)), 2).mean(0)
                for x, a, b in zip(xs, self.cv2, self.cv3)]


class Placeholder(nn.Module):
    """A layer without weights (time repeat, upsampling, concat)."""


class SpikeYOLOReference(nn.Module):
    """Their ``DetectionModel`` on the yaml: ``model.{i}`` per layer.

    Args:
        depth, width, max_channels: The scale (:data:`SCALES`).
        nc (int): Classes.
        time_steps (int): T (their ``MS_GetT``).
        last_ratio (int): MLP ratio of layer 25 (2 for m, l).
    """

    def __init__(self, depth, width, max_channels, nc=80, time_steps=1,
                 last_ratio=1, in_channels=3):
        super().__init__()
        self.T, layers, ch = time_steps, [], [in_channels]
        self.sources = []
        for i, (f, n, kind, args) in enumerate(YAML):
            n = max(round(n * depth), 1) if n > 1 else n
            c1 = ch[f] if isinstance(f, int) else None
            if kind == 'Down':
                c2 = int(args[0] * width)
                make = lambda: Down(c1, c2, *args[1:])  # noqa: E731
            elif kind in ('ConvBlock', 'AllConvBlock'):
                c2 = c1
                ratio = last_ratio if i == 25 else args[0]
                cls = ConvBlock if kind == 'ConvBlock' else AllConvBlock
                make = lambda: cls(c1, ratio, args[1])  # noqa: E731
            elif kind == 'SPPF':
                c2 = math.ceil(min(args[0], max_channels) * width / 8) * 8
                make = lambda: SPPF(c1, c2, args[1])  # noqa: E731
            elif kind == 'StdConv':
                c2 = min(int(args[0] * width), int(max_channels * width))
                make = lambda: StdConv(c1, c2, *args[1:])  # noqa: E731
            elif kind == 'Concat':
                c2 = sum(ch[j] for j in f)
                make = Placeholder
            elif kind == 'Detect':
                make = lambda: Detect(nc, [ch[j] for j in f])  # noqa: E731
            else:
                c2 = c1
                make = Placeholder
            layers.append(nn.Sequential(*(make() for _ in range(n)))
                          if n > 1 else make())
            self.sources.append(f)
            ch = [] if i == 0 else ch
            ch.append(c2)
        self.model = nn.ModuleList(layers)

    def forward(self, img):
        """``[B, 3, H, W]`` -> per level ``[B, 4 * 16 + nc, h, w]`` (box
        logits then class logits, averaged over T)."""
        x = img.unsqueeze(0).repeat(self.T, 1, 1, 1, 1)
        outs = []
        for (f, _, kind, _), layer in zip(YAML, self.model):
            if f != -1:
                x = [outs[j] if j != -1 else x for j in
                     ([f] if isinstance(f, int) else f)]
            if kind == 'GetT':
                pass
            elif kind == 'Up':
                x = per_step(lambda s: F.interpolate(s, scale_factor=2.), x)
            elif kind == 'Concat':
                x = torch.cat(x, 2)
            else:
                x = layer(x)
            outs.append(x)
        return x


def reference(scale='n', **kwargs):
    depth, width, max_channels = SCALES[scale]
    kwargs.setdefault('last_ratio', 2 if scale in 'ml' else 1)
    return SpikeYOLOReference(depth, width, max_channels, **kwargs)


def mmsnn_cfg(depth=0.33, width=0.125, max_channels=1024, last_ratio=1,
              num_classes=3, time_steps=2, **head):
    """The mmsnn ``SpikeYOLO`` config of the same architecture (in mmdet's
    default scope)."""
    from mmengine.registry import init_default_scope

    from mmsnn.models.layers.spikeyolo_bricks import (make_divisible,
                                                       scale_width)
    init_default_scope('mmdet')
    channels = [scale_width(256, width), scale_width(512, width),
                make_divisible(min(1024, max_channels) * width)]
    return dict(
        type='SpikeYOLO', time_steps=time_steps,
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[0, 0, 0],
                               std=[255., 255., 255.], bgr_to_rgb=True,
                               pad_size_divisor=32),
        backbone=dict(type='SpikeYOLOBackbone', deepen_factor=depth,
                      widen_factor=width, max_channels=max_channels),
        neck=dict(type='SpikeYOLONeck', in_channels=channels,
                  widen_factor=width, max_channels=max_channels,
                  last_mlp_ratio=last_ratio),
        bbox_head=dict(
            type='SpikeYOLOHead', num_classes=num_classes,
            in_channels=channels,
            test_cfg=dict(nms_pre=1000, score_thr=0.001,
                          nms=dict(type='nms', iou_threshold=0.7),
                          max_per_img=300), **head))


def randomize_norms(model, seed=1):
    """BN weights, biases and running statistics drawn so that the padding
    values and the neurons' firing matter."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=g) * 0.5
            m.running_mean = torch.randn(m.running_mean.shape,
                                         generator=g) * 0.3
            m.running_var = torch.rand(m.running_var.shape, generator=g) + .5
    return model
