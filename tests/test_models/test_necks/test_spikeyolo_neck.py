"""SpikeYOLONeck: channels, shapes, the last block's ratio, errors."""
import pytest
import torch

from mmsnn.models.time.folding import mark_time_folded
from mmsnn.models.necks import SpikeYOLONeck
from mmsnn.utils import InputError


def test_outputs_and_channels():
    torch.manual_seed(0)
    neck = SpikeYOLONeck([32, 64, 128], widen_factor=0.125, time_steps=2)
    assert neck.out_channels == (32, 64, 128)
    feats = mark_time_folded(
        [torch.randn(4, c, s, s) for c, s in ((32, 8), (64, 4), (128, 2))], 2)
    outs = neck(feats)
    assert [o.shape for o in outs] == [(4, 32, 8, 8), (4, 64, 4, 4),
                                       (4, 128, 2, 2)]


def test_last_block_ratio_of_the_m_and_l_scales():
    with torch.device('meta'):
        small = SpikeYOLONeck([160, 320, 640], 0.625, 7024)
        large = SpikeYOLONeck([160, 320, 640], 0.625, 7024, last_mlp_ratio=2)
    assert small.out_p5.conv1.body[-1][1].out_channels == 640
    assert large.out_p5.conv1.body[-1][1].out_channels == 1280


def test_errors():
    with pytest.raises(InputError, match='three levels'):
        SpikeYOLONeck([32, 64])
    neck = SpikeYOLONeck([32, 64, 128], widen_factor=0.125, time_steps=2)
    feats = mark_time_folded([torch.randn(3, 32, 8, 8)] * 3, 3)
    with pytest.raises(ValueError, match='time_steps=3'):
        neck(feats)
