"""EMS-YOLO's model, re-stated compactly to test mmsnn's against.

Written from reading BICLab/EMS-YOLO (``models/common.py``,
``models/yolo.py``, the model yamls): the layers run on ``[T, B, C, H, W]``
as theirs do, step by step where theirs loop over ``time_window``, and
their modules' attribute names and order are kept, so
``EMSYOLOReference(...).state_dict()`` has exactly their checkpoint keys
and shapes (``model.{i}.residual_function.1.weight``, ...): a synthetic
checkpoint in their format. ``forward`` returns what their ``Detect``
returns in training mode: per level ``[B, A, h, w, 5 + K]``, the mean over
T of the prediction conv's output.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

THRESH, LENS, DECAY = 0.5, 0.5, 0.25
ANCHORS = [[10, 14, 23, 27, 37, 58], [81, 82, 135, 169, 344, 319]]

def _backbone(stem, stages, down=('ConcatBlock_ms', ) * 4,
              block='BasicBlock_ms'):
    layers = [(-1, 1, stem[0], list(stem[1:]))]
    for width, n, d in zip((64, 128, 256, 512), stages, down):
        layers.append((-1, 1, d, [width, 3, 2]))
        if n:
            layers.append((-1, n, block, [width, 3, 1]))
    return layers


def _head(top, p5, p4, lateral, p4_source):
    return [(-1, 1, top[0], top[1]), (-1, 1, p5, [512, 3, 1]),
            (-2, 1, lateral, [128, 1, 1]), (-1, 1, 'Sample', [None, 2]),
            ([-1, p4_source], 1, 'Concat', [2]), (-1, 1, p4, [256, 3, 1])]


#: The yamls' ``backbone + head`` lists (without ``Detect``).
YAMLS = {
    'res10-ee': _backbone(('Conv_2', 32, 3, 2), (0, 0, 0, 0)) + _head(
        ('BasicBlock_ms', [256, 3, 1]), 'ConcatBlock_ms', 'BasicBlock_ms',
        'BasicBlock_ms', 3),
    'res18-ee': _backbone(('Conv_2', 32, 3, 2), (1, 1, 1, 1)) + _head(
        ('BasicBlock_ms', [256, 3, 1]), 'ConcatBlock_ms', 'BasicBlock_ms',
        'BasicBlock_ms', 6),
    'resnet10': _backbone(('Conv_1', 64, 7, 2), (0, 0, 0, 0),
                          ('BasicBlock_2', ) + ('Concat_res2', ) * 3,
                          'BasicBlock_2') + _head(
        ('BasicBlock_1', [256, 1]), 'BasicBlock_2', 'BasicBlock_2',
        'BasicBlock_2', 3),
    'resnet18': _backbone(('Conv_1', 64, 7, 2), (1, 1, 1, 1),
                          ('BasicBlock_2', ) * 4, 'BasicBlock_2') + _head(
        ('BasicBlock_2', [256, 3, 1]), 'Conv', 'Conv', 'BasicBlock_2', 6),
    'resnet34': _backbone(('Conv_1', 64, 7, 2), (2, 3, 5, 2),
                          ('BasicBlock_2', ) * 4, 'BasicBlock_2') + _head(
        ('BasicBlock_1', [256, 1]), 'BasicBlock_2', 'BasicBlock_2',
        'BasicBlock_2', 6),
    'resnet34-cat': _backbone(('Conv_1', 64, 7, 2), (2, 3, 5, 2),
                              ('BasicBlock_2', ) + ('Concat_res2', ) * 3,
                              'BasicBlock_2') + _head(
        ('BasicBlock_2', [256, 3, 1]), 'Conv', 'Conv', 'BasicBlock_2', 6),
}


class _Spike(torch.autograd.Function):

    @staticmethod
    def forward(ctx, mem):
        ctx.save_for_backward(mem)
        return mem.gt(THRESH).float()

    @staticmethod
    def backward(ctx, grad):
        mem, = ctx.saved_tensors
        return grad * ((mem - THRESH).abs() < LENS).float() / (2 * LENS)


class Mem(nn.Module):
    """``mem_update``: spikes, or SiLU with ``act=True``."""

    def __init__(self, act=False):
        super().__init__()
        self.act = act

    def forward(self, x):
        out, mem, spike = [], None, None
        for t in range(x.shape[0]):
            mem = x[t] if t == 0 else \
                mem * DECAY * (1 - spike.detach()) + x[t]
            spike = F.silu(mem) if self.act else _Spike.apply(mem)
            out.append(spike)
        return torch.stack(out)


class Conv2d(nn.Conv2d):
    """``Snn_Conv2d``: the conv at every step."""

    def forward(self, x):
        return torch.stack([super(Conv2d, self).forward(xt) for xt in x])


class BN(nn.Module):
    """``batch_norm_2d``: ``BatchNorm3d`` over (B, T, H, W) per channel."""

    def __init__(self, c, weight=THRESH):
        super().__init__()
        self.bn = nn.BatchNorm3d(c)
        nn.init.constant_(self.bn.weight, weight)

    def forward(self, x):  # [T, B, C, H, W] <-> [B, C, T, H, W], contiguous
        y = self.bn(
            x.transpose(0, 2).contiguous().transpose(0, 1).contiguous())
        return y.transpose(0, 1).contiguous().transpose(0, 2).contiguous()


def _pool(s):
    return nn.MaxPool3d((1, s, s), stride=(1, s, s))


class ConvBN(nn.Module):
    """``Conv_1`` / ``Conv_2`` (no activation) and ``Conv`` (SiLU
    membrane)."""

    def __init__(self, c1, c2, k, s, act=False):
        super().__init__()
        self.conv = Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn = BN(c2)
        if act:
            self.act = Mem(act=True)

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.act(x) if hasattr(self, 'act') else x


def _residual(c1, hidden, c2, k, s):
    return nn.Sequential(Mem(), Conv2d(c1, hidden, k, s, k // 2, bias=False),
                         BN(hidden), Mem(),
                         Conv2d(hidden, c2, k, 1, k // 2, bias=False),
                         BN(c2, 0.2 * THRESH))


class Block(nn.Module):
    """``BasicBlock_ms`` (``e=0.5``, no shortcut neuron), ``BasicBlock_2``
    and ``BasicBlock_1`` (1024 hidden)."""

    def __init__(self, c1, c2, k, s, e=1.0, spike=True, hidden=None):
        super().__init__()
        self.residual_function = _residual(c1, hidden or int(c2 * e), c2, k,
                                           s)
        self.shortcut = nn.Sequential()
        if s != 1 or c1 != c2:
            self.shortcut = nn.Sequential(
                *([_pool(s)] + ([Mem()] if spike else []) +
                  [Conv2d(c1, c2, 1, bias=False), BN(c2)]))

    def forward(self, x):
        return self.residual_function(x) + self.shortcut(x)


class CatBlock(nn.Module):
    """``ConcatBlock_ms`` (``e=0.5``) and ``Concat_res2``."""

    def __init__(self, c1, c2, k, s, e=1.0):
        super().__init__()
        self.residual_function = _residual(c1, int(c2 * e), c2, k, s)
        self.shortcut = nn.Sequential(Mem(), Conv2d(c1, c2 - c1, 1,
                                                    bias=False),
                                      BN(c2 - c1))
        self.pools = _pool(s)

    def forward(self, x):
        return self.residual_function(x) + self.pools(
            torch.cat((self.shortcut(x), x), dim=2))


class Sample(nn.Module):

    def forward(self, x):
        return torch.stack(
            [F.interpolate(xt, scale_factor=2, mode='nearest') for xt in x])


class Concat(nn.Module):

    def forward(self, x):
        return torch.cat(x, 2)


class Detect(nn.Module):

    def __init__(self, nc, ch, strides=(16, 32)):
        super().__init__()
        self.na, self.no = 3, nc + 5
        anchors = torch.tensor(ANCHORS).float().view(2, -1, 2)
        self.register_buffer(
            'anchors', anchors / torch.tensor(strides).float().view(-1, 1, 1))
        self.m = nn.ModuleList(Conv2d(c, self.no * self.na, 1) for c in ch)

    def forward(self, x):
        out = []
        for i, xi in enumerate(x):
            y = self.m[i](xi)
            t, b, _, h, w = y.shape
            y = y.view(t, b, self.na, self.no, h, w).permute(0, 1, 2, 4, 5, 3)
            out.append(y.sum(0) / t)
        return out


def _make(name, c1, c2, args):
    if name == 'Conv_1' or name == 'Conv_2':
        return ConvBN(c1, c2, *args)
    if name == 'Conv':
        return ConvBN(c1, c2, *args, act=True)
    if name == 'BasicBlock_ms':
        return Block(c1, c2, *args, e=0.5, spike=False)
    if name == 'BasicBlock_2':
        return Block(c1, c2, *args)
    if name == 'BasicBlock_1':
        return Block(c1, c2, 3, *args, hidden=1024)
    if name == 'ConcatBlock_ms':
        return CatBlock(c1, c2, *args, e=0.5)
    return CatBlock(c1, c2, *args)  # Concat_res2


class EMSYOLOReference(nn.Module):
    """Their ``Model`` (``parse_model`` + ``_forward_once``) for ``arch``.

    Args:
        arch (str): A key of :data:`YAMLS`.
        num_classes (int): ``nc``.
        time_steps (int): ``time_window``.
        width_multiple (float): The yaml's ``width_multiple``.
        events (bool): Input ``[B, T, C, H, W]`` frames (``g1-resnet``)
            instead of an image repeated T times.
    """

    def __init__(self, arch, num_classes, time_steps, width_multiple=1.0,
                 events=False):
        super().__init__()
        self.time_steps, self.events = time_steps, events
        layers, ch, self.sources = [], [3], []
        for i, (f, n, name, args) in enumerate(YAMLS[arch]):
            if name == 'Sample':
                c2, m = ch[f], Sample()
            elif name == 'Concat':
                c2, m = sum(ch[x] for x in f), Concat()
            else:
                c1 = ch[f]
                c2 = math.ceil(args[0] * width_multiple / 8) * 8
                mods = [_make(name, c1 if j == 0 else c2, c2, args[1:])
                        for j in range(n)]
                m = mods[0] if n == 1 else nn.Sequential(*mods)
            layers.append(m)
            self.sources.append(f)
            ch = [c2] if i == 0 else ch + [c2]
        p4, p5 = len(layers) - 1, len(layers) - 5
        layers.append(Detect(num_classes, [ch[p4], ch[p5]]))
        self.sources.append([p4, p5])
        self.model = nn.Sequential(*layers)

    def forward(self, img):
        x = img.transpose(0, 1) if self.events else \
            img[None].expand(self.time_steps, *img.shape)
        outs = []
        for f, m in zip(self.sources, self.model):
            if f != -1:
                x = outs[f] if isinstance(f, int) else \
                    [x if j == -1 else outs[j] for j in f]
            x = m(x)
            outs.append(x)
        return x
