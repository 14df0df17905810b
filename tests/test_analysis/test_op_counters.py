"""MAC / SOP counters against hand counts and spikingjelly's counters."""
import pytest
import torch
import torch.nn as nn
from spikingjelly.activation_based.op_counter import (DispatchCounterMode,
                                                      MACCounter,
                                                      SynOpCounter)

from mmsnn.analysis import (DenseMACCounter, RealMACCounter,
                            SpikeCountSynOpCounter, spike_count_levels)


def count(module, x, *counters):
    with torch.no_grad(), DispatchCounterMode(list(counters)):
        module(x)
    return [c.get_total() for c in counters]


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(16, 4, 1), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))


def test_dense_macs_equal_hand_count():
    x = torch.randn(2, 3, 16, 16)
    per_image = (8 * 3 * 9 * 16 * 16  # 3x3, same padding
                 + 16 * (8 // 2) * 9 * 8 * 8  # stride 2, two groups
                 + 4 * 16 * 8 * 8  # 1x1
                 + 256 * 10)  # linear
    dense, sj_macs = count(small_net(), x, DenseMACCounter(), MACCounter())
    assert dense == 2 * per_image
    # On real-valued input spikingjelly's MAC counter agrees (no BN here).
    assert sj_macs == dense


def test_dense_macs_ignore_spikes_but_sj_macs_do_not():
    conv = nn.Conv2d(4, 6, 3, padding=1)
    spikes = (torch.rand(3, 4, 8, 8) < 0.3).float()
    dense, sj_macs, real = count(conv, spikes, DenseMACCounter(), MACCounter(),
                                 RealMACCounter())
    assert dense == 3 * 6 * 4 * 9 * 64
    assert sj_macs == real == 0


def test_sops_equal_macs_times_rate_times_T():
    """Spikes away from the padded border each reach every synapse, so the
    exact count is MACs/step x firing rate x T."""
    T, C, H = 4, 6, 12
    conv = nn.Conv2d(C, 5, 3, padding=1, bias=False)
    x = torch.zeros(T, C, H, H)  # B = 1, time folded into the batch
    grid = (torch.arange((H - 2)**2).view(H - 2, H - 2) % 4 == 0).float()
    x[:, :, 1:-1, 1:-1] = grid  # 25 of 144 positions fire at every step
    rate = x.mean().item()
    assert rate == pytest.approx(25 / 144)
    dense, sops, sj_sops = count(conv, x, DenseMACCounter(),
                                 SpikeCountSynOpCounter(), SynOpCounter())
    macs_per_step = dense / T
    assert macs_per_step == 5 * C * 9 * H * H
    assert sops == pytest.approx(macs_per_step * rate * T)
    assert sops == sj_sops == 25 * C * T * 5 * 9


@pytest.mark.parametrize('conv', [
    nn.Conv2d(6, 5, 3, padding=1),
    nn.Conv2d(6, 4, 3, stride=2, padding=1, groups=2),
    nn.Conv2d(6, 5, 1),
])
def test_binary_sops_match_spikingjelly_border_included(conv):
    torch.manual_seed(1)
    x = (torch.rand(4, 6, 9, 9) < 0.3).float()
    ours, sj = count(conv, x, SpikeCountSynOpCounter(), SynOpCounter())
    assert ours == sj > 0
    dense, = count(conv, x, DenseMACCounter())
    estimate = dense * x.mean().item()  # MACs x rate (x T: rows hold T)
    if conv.kernel_size == (1, 1):
        assert ours == pytest.approx(estimate)
    elif conv.stride == (1, 1):
        # Border spikes reach fewer synapses than the estimate assumes.
        assert ours < estimate


def test_spike_counts_cost_k_accumulates():
    """Residual sums carry counts 0, 1, 2, ...: a count k costs k ACs."""
    torch.manual_seed(2)
    x = torch.randint(0, 4, (3, 6, 10, 10)).float()
    conv1x1 = nn.Conv2d(6, 5, 1)
    ours, sj, real = count(conv1x1, x, SpikeCountSynOpCounter(),
                           SynOpCounter(), RealMACCounter())
    assert ours == x.sum().item() * 5  # every unit of count x C_out
    assert sj == 0  # spikingjelly sees non-binary values: neither AC ...
    sj_mac, = count(conv1x1, x, MACCounter())
    assert sj_mac == 3 * 5 * 6 * 100  # ... but MAC; ours: no MAC either
    assert real == 0
    # 3x3 with padding: equals spikingjelly's count of the unary expansion.
    conv = nn.Conv2d(6, 5, 3, padding=1)
    ours, = count(conv, x, SpikeCountSynOpCounter())
    unary = torch.cat([(x >= k).float() for k in (1, 2, 3)])
    sj, = count(conv, unary, SynOpCounter())
    assert ours == sj > 0


def test_real_macs_match_spikingjelly_on_real_input_without_bn():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).eval()
    x = torch.randn(2, 3, 8, 8)
    ours, sj = count(net, x, RealMACCounter(), MACCounter())
    bn_macs = 2 * 4 * 6 * 6  # spikingjelly counts BN's affine per element
    assert ours == 2 * 4 * 3 * 9 * 36
    assert sj == ours + bn_macs
    with_norm, = count(net, x, RealMACCounter(count_norm=True))
    assert with_norm == sj


def test_spike_count_levels():
    assert spike_count_levels(torch.tensor([0., 1., 0.])) == 1
    assert spike_count_levels(torch.tensor([0., 2., 3.])) == 3
    assert spike_count_levels(torch.tensor([True, False])) == 1
    assert spike_count_levels(torch.zeros(3)) == 0
    assert spike_count_levels(torch.tensor([0., 0.5])) is None
    assert spike_count_levels(torch.tensor([-1., 1.])) is None
