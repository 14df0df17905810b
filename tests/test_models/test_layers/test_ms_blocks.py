"""EMS-YOLO's blocks: structure per variant, initialisation, membrane
shortcuts."""
import pytest
import torch
import torch.nn as nn

from mmsnn.models.layers import (EMS_LAYERS, EMSConv, MSBasicBlock,
                                 build_ems_layer)
from mmsnn.models.neurons import STBPLIFNeuron
from mmsnn.utils.input_error import ConfigValueError


def build(name, cin, cout, **kwargs):
    return build_ems_layer(dict(EMS_LAYERS[name], **kwargs), cin, cout,
                           dict(type='STBPLIFNeuron', time_steps=2), None,
                           dict(type='BN'))


@pytest.mark.parametrize('name, hidden, shortcut_neuron', [
    ('BasicBlock_ms', 32, False), ('BasicBlock_2', 64, True),
    ('BasicBlock_1', 1024, True)
])
def test_basic_blocks(name, hidden, shortcut_neuron):
    block = build(name, 32, 64, kernel_size=3, stride=2)
    assert isinstance(block, MSBasicBlock)
    assert block.conv1.conv.out_channels == hidden
    assert isinstance(block.conv1.activate, STBPLIFNeuron)
    assert block.conv1.order == ('act', 'conv', 'norm')
    assert isinstance(block.pool, nn.MaxPool2d)
    assert isinstance(getattr(block.shortcut, 'activate', None),
                      STBPLIFNeuron) == shortcut_neuron
    out = block(torch.randn(4, 32, 8, 8))
    assert out.shape == (4, 64, 4, 4)


def test_identity_shortcut_adds_the_input():
    block = build('BasicBlock_2', 16, 16)
    assert block.shortcut is None
    x = torch.randn(4, 16, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(block(x) - block.conv2(block.conv1(x)), x)


def test_concat_shortcut_keeps_the_membrane():
    block = build('ConcatBlock_ms', 16, 48, kernel_size=3, stride=2).eval()
    assert block.conv1.conv.out_channels == 24
    assert block.shortcut.conv.out_channels == 32
    x = torch.randn(4, 16, 8, 8)
    with torch.no_grad():
        shortcut = block(x) - block.conv2(block.conv1(x))
    # the input's channels come last, max-pooled, unchanged
    torch.testing.assert_close(shortcut[:, 32:], nn.functional.max_pool2d(
        x, 2))


def test_ems_initialisation():
    block = build('BasicBlock_ms', 16, 32, kernel_size=3, stride=2)
    for conv in (block.conv1, block.conv2, block.shortcut):
        conv.norm.weight.data.fill_(7.)
        conv.conv.weight.data.fill_(7.)
    block.init_weights()
    assert torch.all(block.conv1.norm.weight == 0.5)
    assert torch.all(block.conv2.norm.weight == 0.1)  # a fifth: last BN
    assert torch.all(block.shortcut.norm.weight == 0.5)
    # PyTorch's default conv init: uniform within 1 / sqrt(fan_in)
    bound = 1 / (16 * 9)**0.5
    weight = block.conv1.conv.weight
    assert weight.abs().max() <= bound and weight.std() > bound / 3


def test_refusals():
    with pytest.raises(ConfigValueError, match='in_channels must be below'):
        build('Concat_res2', 64, 64)
    with pytest.raises(ConfigValueError, match='kernel_size must be odd'):
        build('BasicBlock_2', 8, 8, kernel_size=2)
    with pytest.raises(ConfigValueError, match='not registered'):
        build_ems_layer(dict(type='NoSuchBlock'), 8, 8, None, None, None)


def test_plain_conv_layer_takes_no_neuron():
    conv = build('Conv', 8, 16, kernel_size=3)
    assert isinstance(conv, EMSConv) and not any(
        isinstance(m, STBPLIFNeuron) for m in conv.modules())
