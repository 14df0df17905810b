"""SLTT and SLTT-K on a small spiking network against a hand-written
per-step reference (potential detached between steps; the steps not drawn
computed as constants), and what the selecting layers do and refuse."""
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule

from mmsnn.models.layers import TimeDecode, TimeSequential
from mmsnn.models.neurons.bptt_mode import BPTTMode
from mmsnn.models.layers.step_selection import (DrawnStepsForward,
                                                apply_bptt_mode)
from mmsnn.models.neurons import IFNeuron
from mmsnn.utils.input_error import ConfigValueError

T, B, C, HW = 4, 2, 3, 6


class ATanSpike(torch.autograd.Function):
    """H(u) forward, paper Eq. 5 (alpha = 2) backward: written here, not
    taken from the package or spikingjelly."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u, ) = ctx.saved_tensors
        return grad * 2 / (2 * (1 + (math.pi / 2 * 2 * u) ** 2))


class Net(nn.Module):
    """Two conv-BN-IF layers and a prediction conv decoded by the mean over
    T, as the spiking part (an owner of T) of a bigger model."""

    def __init__(self, backend='fused'):
        super().__init__()
        act = dict(type='IFNeuron', backend=backend)
        self.net = TimeSequential([
            ConvModule(C, 4, 3, padding=1, norm_cfg=dict(type='BN'),
                       act_cfg=act),
            ConvModule(4, 5, 3, padding=1, norm_cfg=dict(type='BN'),
                       act_cfg=act),
            nn.Conv2d(5, 2, 1),
            TimeDecode(decode_mode='mean')
        ], time_steps=T)

    def forward(self, x):
        return self.net(x)


def reference(net, x, steps, batch_stats=True):
    """The network step by step, by hand: IF with soft reset at 1 and the
    potential detached before every step; BN with the statistics of all
    T x B samples (or its running ones). Steps outside ``steps`` are
    computed as constants."""
    xs = list(x.unflatten(0, (T, B)).unbind(0))

    def const(t, value):
        return value if t in steps else value.detach()

    for layer in (net.net[0], net.net[1]):
        conv, bn = layer.conv, layer.bn
        cur = torch.cat([
            const(t, F.conv2d(const(t, xt), conv.weight, conv.bias,
                              padding=1)) for t, xt in enumerate(xs)
        ])
        mean = cur.mean((0, 2, 3), keepdim=True)
        var = cur.var((0, 2, 3), unbiased=False, keepdim=True)
        if not batch_stats:
            mean = bn.running_mean.view(1, -1, 1, 1)
            var = bn.running_var.view(1, -1, 1, 1)
        normed = (cur - mean) / torch.sqrt(var + bn.eps) * \
            bn.weight.view(1, -1, 1, 1) + bn.bias.view(1, -1, 1, 1)
        v, xs = 0., []
        for t, current in enumerate(normed.unflatten(0, (T, B)).unbind(0)):
            h = (v.detach() if torch.is_tensor(v) else v) + const(t, current)
            spike = ATanSpike.apply(h - 1.)
            v = h - spike
            xs.append(const(t, spike))
    pred = net.net[2]
    return torch.stack([
        const(t, F.conv2d(xt, pred.weight, pred.bias))
        for t, xt in enumerate(xs)
    ]).mean(0)


def grads(net, out, x, weight):
    params = [p for p in net.parameters() if p.requires_grad]
    return torch.autograd.grad((out * weight).sum(), [x] + params)


def make(backend='fused', k=None, mode='sltt'):
    torch.manual_seed(0)
    net = Net(backend)
    bptt = BPTTMode(mode, k)
    apply_bptt_mode(net, bptt)
    x = (torch.randn(T * B, C, HW, HW) * 2).requires_grad_()
    weight = torch.randn(B, 2, HW, HW)
    return net, bptt, x, weight


@pytest.mark.parametrize('backend', ['fused', 'autograd'])
@pytest.mark.parametrize('k', [None, 1, 2, T])
def test_gradients_equal_the_per_step_reference(backend, k):
    net, bptt, x, weight = make(backend, k)
    bptt_net = make(backend, mode='full')[0]
    with bptt.drawing(T, B) as draw:
        out = net(x)
    steps = range(T) if draw is None else draw.steps
    assert (draw is None) == (k in (None, T))
    expected = bptt_net(x)
    # the same forward as BPTT: one call of each layer on all rows
    assert torch.equal(out, expected)
    for name, buf in net.named_buffers():  # BN's running statistics
        assert torch.equal(buf, dict(bptt_net.named_buffers())[name]), name
    ref = reference(net, x, steps)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    got, want = grads(net, out, x, weight), grads(net, ref, x, weight)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    # BPTT's gradients differ: the reference is not BPTT in disguise
    full = grads(bptt_net, expected, x, weight)
    assert not all(torch.allclose(a, b) for a, b in zip(got, full))
    if draw is not None:  # the steps not drawn got no input gradient
        others = [t for t in range(T) if t not in draw.steps]
        assert got[0].unflatten(0, (T, B))[others].abs().sum() == 0
        assert got[0].unflatten(0, (T, B))[list(draw.steps)].abs().sum() > 0


def test_layers_keep_only_the_drawn_rows_for_backward():
    """K/T of each layer's activations are stored: its saved input."""
    net, bptt, x, _ = make(k=1)
    conv = net.net[1].conv
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t.shape) or t, lambda t: t):
        with bptt.drawing(T, B):
            net(x)
    assert (B, 4, HW, HW) in saved  # conv 2's input, one step of rows
    assert (T * B, 4, HW, HW) not in saved
    assert isinstance(conv.__dict__['forward'], DrawnStepsForward)


def test_eval_mode_batch_norm_and_frozen_weights():
    """Running statistics (rows independent) and layers without weight
    gradients back-propagate the drawn steps as well."""
    net, bptt, x, weight = make(k=2)
    with torch.no_grad():  # running statistics that are not the defaults
        net.train()(x * 0.5 + 0.3)
    net.eval()
    net.net[0].conv.weight.requires_grad_(False)
    with bptt.drawing(T, B) as draw:
        out = net(x)
    assert torch.equal(out, net(x))
    ref = reference(net, x, draw.steps, batch_stats=False)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    got, want = grads(net, out, x, weight), grads(net, ref, x, weight)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_modes_without_k_remove_the_selecting_forwards():
    net, _, _, _ = make(k=2)
    apply_bptt_mode(net, BPTTMode('sltt'))
    assert not any('forward' in m.__dict__ for m in net.modules())
    assert all(n.bptt.sltt for n in net.modules()
               if isinstance(n, IFNeuron))
    apply_bptt_mode(net, None)
    assert all(n.bptt is None for n in net.modules()
               if isinstance(n, IFNeuron))


def test_only_layers_of_the_spiking_parts_are_selected():
    net = nn.Sequential(nn.Conv2d(3, 3, 1), Net())  # an ANN layer first
    apply_bptt_mode(net, BPTTMode('sltt', 1))
    assert 'forward' not in net[0].__dict__
    assert isinstance(net[1].net[2].__dict__['forward'], DrawnStepsForward)


@pytest.mark.parametrize('layer, name', [
    (nn.Conv2d(3, 3, 3, padding='same'), 'Conv2d'),
    (nn.Conv2d(3, 3, 3, padding=1, padding_mode='reflect'), 'Conv2d'),
    (nn.ConvTranspose2d(3, 3, 2), 'ConvTranspose2d'),
    (nn.SyncBatchNorm(3), 'SyncBatchNorm'),
])
def test_unsupported_layers_are_named(layer, name):
    net = Net()
    net.net[2] = layer
    with pytest.raises(ConfigValueError,
                       match=rf'layer net\.2 \({name}\) cannot back-'):
        apply_bptt_mode(net, BPTTMode('sltt', 1))
    apply_bptt_mode(net, BPTTMode('sltt'))  # without k: nothing to select


@pytest.mark.parametrize('shape', [(12, 5), (12, 5, 7), (12, 5, 4, 6)])
@pytest.mark.parametrize('kernel', ['C++', 'PyTorch'])
def test_batch_statistics_equal_var_mean(shape, kernel, monkeypatch):
    from mmsnn.models.layers import step_selection
    from mmsnn.models.layers.step_selection import _batch_stats
    if kernel == 'PyTorch':  # the code for other devices
        monkeypatch.setattr(step_selection, 'channel_stats_cpu',
                            lambda x: None)
    torch.manual_seed(0)
    x = torch.randn(shape) * 3 + 10  # a mean far from 0
    dims = [0] + list(range(2, x.dim()))
    want_var, want_mean = torch.var_mean(x.double(), dim=dims, correction=0)
    var, mean = _batch_stats(x)
    assert var.dtype == mean.dtype == torch.float32
    torch.testing.assert_close(var.double(), want_var, rtol=1e-6, atol=0)
    torch.testing.assert_close(mean.double(), want_mean, rtol=1e-6, atol=0)
    var, mean = _batch_stats(x.half())
    assert var.dtype == torch.float32  # half inputs accumulate in float32
