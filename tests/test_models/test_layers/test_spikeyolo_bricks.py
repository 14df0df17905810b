"""SpikeYOLO's bricks: the padded BN, re-parameterisation into one conv, and
the scaling rules of the authors' parse_model."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmsnn.models.layers.spikeyolo_bricks import (BNAndPad, MSConvBlock,
                                                   RepConv, SepRepConv,
                                                   make_divisible,
                                                   reparameterize,
                                                   scale_depth, scale_width)
from ..test_detectors.spikeyolo_reference import randomize_norms


def test_padded_bn_equals_bn_of_a_zero_padded_input():
    layer = randomize_norms(BNAndPad(2, 3)).eval()
    x = torch.randn(2, 3, 5, 4)
    torch.testing.assert_close(layer(x), layer.bn(F.pad(x, [2] * 4)))


@pytest.mark.parametrize('block,k', [(RepConv, 3), (SepRepConv, 3),
                                     (RepConv, 5)])
def test_blocks_fuse_into_one_conv(block, k):
    torch.manual_seed(0)
    layer = randomize_norms(block(4, 6, k)).eval()
    x = (torch.rand(2, 4, 7, 9) * 5).round()  # spike counts, as fed
    conv = layer.as_conv()
    assert conv.kernel_size == (k, k) and conv.padding == (k // 2, k // 2)
    torch.testing.assert_close(conv(x), layer(x), rtol=1e-5, atol=1e-5)


def test_reparameterize_replaces_every_block_in_place():
    torch.manual_seed(0)
    block = randomize_norms(MSConvBlock(4, 2, 3, neuron_cfg=dict(
        type='ILIFNeuron', time_steps=2))).eval()
    x = torch.randn(2 * 2, 4, 6, 6) * 2
    expected = block(x)
    assert reparameterize(block) == 3  # conv1, conv2, Conv.pwconv3
    assert isinstance(block.conv1, nn.Conv2d)
    assert isinstance(block.Conv.pwconv3, nn.Conv2d)
    torch.testing.assert_close(block(x), expected, rtol=1e-5, atol=1e-5)


def test_scaling_rules_of_the_authors_parse_model():
    assert [scale_depth(n, 0.33) for n in (1, 3, 6, 9)] == [1, 1, 2, 3]
    assert [scale_depth(n, 0.5) for n in (3, 6, 9)] == [2, 3, 4]
    assert scale_width(1024, 0.375) == 384 and scale_width(128, 0.625) == 80
    assert make_divisible(1024 * 0.375) == 384 and make_divisible(17) == 24


def test_spike_driven_block_gives_the_integer_blocks_output():
    from mmsnn.models.neurons.ilif_neuron import set_spike_driven
    torch.manual_seed(0)
    block = randomize_norms(MSConvBlock(4, 2, 3, neuron_cfg=dict(
        type='ILIFNeuron', time_steps=2))).eval()
    x = torch.randn(2 * 2, 4, 6, 6) * 2
    with torch.no_grad():
        expected = block(x)
        reparameterize(block)
        assert set_spike_driven(block, True) == 5
        torch.testing.assert_close(block(x), expected, rtol=1e-5,
                                   atol=1e-5)
