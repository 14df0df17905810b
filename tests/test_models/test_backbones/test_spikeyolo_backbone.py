"""SpikeYOLOBackbone: stages, channels per scale, encodings, errors."""
import pytest
import torch

from mmsnn.models.backbones import SPIKEYOLO_SCALES, SpikeYOLOBackbone
from mmsnn.models.time.folding import mark_time_folded
from mmsnn.models.layers.spikeyolo_bricks import MSAllConvBlock, MSConvBlock
from mmsnn.utils import InputError


@pytest.mark.parametrize('scale,channels,blocks', [
    ('n', (96, 192, 384), (1, 2, 3, 1)),
    ('s', (128, 256, 512), (1, 2, 3, 1)),
    ('m', (160, 320, 640), (2, 3, 4, 2)),
    ('l', (192, 384, 768), (2, 3, 4, 2)),
])
def test_channels_and_blocks_per_scale(scale, channels, blocks):
    depth, width, max_channels = SPIKEYOLO_SCALES[scale]
    with torch.device('meta'):
        backbone = SpikeYOLOBackbone(depth, width, max_channels)
    assert backbone.out_channels == channels
    stages = (backbone.stage1, backbone.stage2, backbone.stage3,
              backbone.stage4)
    counted = tuple(
        sum(isinstance(m, (MSAllConvBlock, MSConvBlock)) for m in stage)
        for stage in stages)
    assert counted == blocks


@pytest.mark.parametrize('encoding', ['direct', 'sequence'])
def test_outputs_are_time_folded_currents(encoding):
    torch.manual_seed(0)
    backbone = SpikeYOLOBackbone(0.33, 0.125, in_channels=2,
                                 encoding=encoding, time_steps=3)
    x = torch.rand(2, 2, 64, 64)
    if encoding == 'sequence':
        x = mark_time_folded(torch.rand(3 * 2, 2, 64, 64), 3)
    outs = backbone(x)
    assert [o.shape for o in outs] == [(6, 32, 8, 8), (6, 64, 4, 4),
                                       (6, 128, 2, 2)]
    assert outs[0].min() < 0  # currents (after BN), not spikes
    if encoding == 'direct':  # one image, the same stem current each step
        stem = backbone.stem(x)
        assert torch.equal(stem, backbone.stem(x))


def test_bad_out_indices_and_sequence_mismatch_are_named():
    with pytest.raises(InputError, match='out_indices'):
        SpikeYOLOBackbone(out_indices=(0, 5))
    backbone = SpikeYOLOBackbone(0.33, 0.125, encoding='sequence',
                                 time_steps=2)
    with pytest.raises(ValueError, match='time bins'):
        backbone(mark_time_folded(torch.rand(3, 3, 32, 32), 3))
