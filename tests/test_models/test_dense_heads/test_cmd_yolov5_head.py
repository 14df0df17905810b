"""CMDYOLOV5Head is EMS-YOLO's Detect: each level's conv at every step,
averaged over T (the bias counts once); 'sum' and 'rate' as elsewhere."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS

from mmsnn.models.time.folding import mark_time_folded
from mmsnn.models.neurons import IFNeuron

T, B = 3, 2


def make_head(decode_mode='mean'):
    torch.manual_seed(0)
    head = MODELS.build(dict(type='CMDYOLOV5Head', num_classes=2,
                             in_channels=[8, 16], time_steps=T,
                             decode_mode=decode_mode))
    head.init_weights()
    return head


def membranes():
    # EMS-YOLO's neck hands real-valued membrane potentials to Detect
    torch.manual_seed(1)
    return mark_time_folded(
        tuple(torch.randn(T * B, c, s, s) for c, s in ((8, 4), (16, 2))), T)


def test_mean_is_their_detect():
    head = make_head('mean')
    x = membranes()
    for conv, feat, out in zip(head.convs_pred, x, head(x)[0]):
        # Detect: x = m(x) per step -> [T, B, A*(5+K), h, w]; sum(0) / T
        per_step = torch.stack([
            F.conv2d(feat[t * B:(t + 1) * B], conv.weight, conv.bias)
            for t in range(T)
        ])
        torch.testing.assert_close(out, per_step.sum(0) / T)
        assert out.shape == (B, 21, *feat.shape[2:])


def test_sum_is_t_times_mean_and_rate_is_quantised():
    x = membranes()
    for mean, total in zip(make_head('mean')(x)[0], make_head('sum')(x)[0]):
        torch.testing.assert_close(total, T * mean)
    head = make_head('rate')
    assert all(isinstance(n, IFNeuron) for n in head.pred_neurons)
    for out in head(x)[0]:
        torch.testing.assert_close(out * T, (out * T).round())


def test_time_steps_mismatch_is_refused():
    head = make_head()
    with pytest.raises(ValueError, match='time_steps=3'):
        head(mark_time_folded(tuple(torch.randn(4 * B, c, 2, 2)
                                    for c in (8, 16)), 4))
