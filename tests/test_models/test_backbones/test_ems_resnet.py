"""EMSResNet: stage layout per arch, encodings, errors."""
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.models.backbones import EMSResNet
from mmsnn.models.layers import MSBasicBlock, MSConcatBlock
from mmsnn.models.time.folding import (folded_time_steps,
                                              mark_time_folded)
from mmsnn.utils.input_error import ConfigValueError

# blocks per stage (down + repeats) and the down block's type, per arch
LAYOUT = {
    'res10-ee': ((1, 1, 1, 1), MSConcatBlock),
    'res18-ee': ((2, 2, 2, 2), MSConcatBlock),
    'resnet10': ((1, 1, 1, 1), MSBasicBlock),
    'resnet18': ((2, 2, 2, 2), MSBasicBlock),
    'resnet34': ((3, 4, 6, 3), MSBasicBlock),
    'resnet34-cat': ((3, 4, 6, 3), MSBasicBlock),
}


@pytest.mark.parametrize('arch', sorted(LAYOUT))
def test_layout_channels_and_strides(arch):
    with torch.device('meta'):
        backbone = EMSResNet(arch=arch, widen_factor=0.25)
    depths, first_down = LAYOUT[arch]
    stages = [getattr(backbone, f'layer{i}') for i in range(1, 5)]
    assert tuple(len(s) for s in stages) == depths
    assert isinstance(stages[0][0], first_down)
    assert backbone.out_channels == [16, 32, 64, 128]
    assert all(s[0].stride == 2 for s in stages)
    assert backbone.stem.conv.kernel_size[0] == (3 if 'ee' in arch else 7)
    assert not backbone.stem.with_activation  # real values out


def test_direct_encoding_outputs_time_folded_membranes():
    backbone = EMSResNet(widen_factor=0.25, time_steps=3).eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        c4, c5 = backbone(x)
        backbone.encode_once = False
        again = backbone(x)
    assert c4.shape == (6, 64, 4, 4) and c5.shape == (6, 128, 2, 2)
    assert folded_time_steps(c4) == 3
    assert not torch.equal(c5, c5.round())  # membranes, not spikes
    torch.testing.assert_close(again[1], c5)  # T copies = once, repeated


def test_sequence_encoding_checks_the_bins():
    backbone = EMSResNet(widen_factor=0.25, time_steps=2,
                         encoding='sequence', in_channels=2).eval()
    frames = mark_time_folded(torch.rand(4, 2, 64, 64), 2)
    with torch.no_grad():
        assert backbone(frames)[0].shape == (4, 64, 4, 4)
    with pytest.raises(ValueError, match='3 time'):
        backbone(mark_time_folded(torch.rand(6, 2, 64, 64), 3))


@pytest.mark.parametrize('kwargs, match', [
    (dict(arch='resnet50'), 'arch'),
    (dict(out_indices=(4, )), 'out_indices'),
    (dict(encoding='poisson'), 'encoding'),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ConfigValueError, match=match):
        MODELS.build(dict(type='EMSResNet', **kwargs))
