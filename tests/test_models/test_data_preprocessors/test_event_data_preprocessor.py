"""EventDetDataPreprocessor: [B, T, C, H, W] -> [T*B, C, H, W] time-major."""
import pytest
import torch
from mmdet.structures import DetDataSample

from mmsnn.models.data_preprocessors import EventDetDataPreprocessor
from mmsnn.models.time import folded_time_steps
from mmsnn.utils import ConfigValueError


def _frames():
    torch.manual_seed(0)
    return [torch.rand(3, 2, 30, 40), torch.rand(3, 2, 20, 50)]


def test_time_major_fold_pads_and_tags():
    frames = _frames()
    pre = EventDetDataPreprocessor(pad_size_divisor=32, scale=0.5)
    out = pre(dict(inputs=frames, data_samples=[DetDataSample(),
                                                DetDataSample()]))
    x = out['inputs']
    assert x.shape == (3 * 2, 2, 32, 64)
    assert folded_time_steps(x) == 3
    for t in range(3):
        for b, f in enumerate(frames):
            h, w = f.shape[-2:]
            torch.testing.assert_close(x[t * 2 + b, :, :h, :w], f[t] * 0.5)
            assert x[t * 2 + b, :, h:].abs().sum() == 0  # padded with 0
    assert out['data_samples'][0].batch_input_shape == (32, 64)


def test_channel_fold_for_ann_twins():
    frames = _frames()
    x = EventDetDataPreprocessor(fold='channels')(
        dict(inputs=frames, data_samples=None))['inputs']
    assert x.shape == (2, 3 * 2, 32, 64)
    torch.testing.assert_close(x[1, 4:6, :20, :50], frames[1][2])
    assert folded_time_steps(x) is None


def test_bad_fold_and_mixed_bins():
    with pytest.raises(ConfigValueError, match='fold'):
        EventDetDataPreprocessor(fold='batch')
    with pytest.raises(ValueError, match='same T and C'):
        EventDetDataPreprocessor()(dict(inputs=[torch.zeros(3, 2, 8, 8),
                                                torch.zeros(4, 2, 8, 8)]))
