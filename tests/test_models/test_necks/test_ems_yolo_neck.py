"""EMSYOLONeck: the tiny-YOLOv3 layout of EMS-YOLO's yamls."""
import pytest
import torch

from mmsnn.models.layers import (EMSConv, MembraneSiLU, MSBasicBlock,
                                 MSConcatBlock)
from mmsnn.models.time.folding import mark_time_folded
from mmsnn.models.necks import EMSYOLONeck
from mmsnn.utils.input_error import ConfigValueError


@pytest.mark.parametrize('arch, p5_type, top_hidden', [
    ('res10-ee', MSConcatBlock, 128), ('resnet18', EMSConv, 256),
    ('resnet34', MSBasicBlock, 1024)
])
def test_layers_per_arch(arch, p5_type, top_hidden):
    with torch.device('meta'):
        neck = EMSYOLONeck([256, 512], arch=arch)
    assert isinstance(neck.p5_layer, p5_type)
    assert neck.top_layer.conv1.conv.out_channels == top_hidden
    assert neck.lateral_layer.conv1.conv.kernel_size == (1, 1)
    p4_conv = neck.p4_layer.conv if arch == 'resnet18' else \
        neck.p4_layer.conv1.conv
    assert p4_conv.in_channels == 128 + 256  # upsampled lateral + c4
    if arch == 'resnet18':
        assert isinstance(neck.p5_layer.activate, MembraneSiLU)


def test_outputs_p4_then_p5():
    neck = EMSYOLONeck([16, 32], widen_factor=0.125, time_steps=2).eval()
    feats = mark_time_folded(
        (torch.randn(4, 16, 8, 8), torch.randn(4, 32, 4, 4)), 2)
    with torch.no_grad():
        p4, p5 = neck(feats)
    assert p4.shape == (4, 32, 8, 8) and p5.shape == (4, 64, 4, 4)
    assert neck.out_channels == (32, 64)
    with pytest.raises(ValueError, match='time_steps=2'):
        neck(mark_time_folded(feats, 4))


def test_bad_arguments_are_refused():
    with pytest.raises(ConfigValueError, match='arch'):
        EMSYOLONeck([256, 512], arch='yolov3')
    with pytest.raises(ConfigValueError, match='in_channels'):
        EMSYOLONeck([128, 256, 512])
