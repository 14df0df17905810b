import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.models.layers import TimeDecode, TimeRepeat, TimeSequential
from mmsnn.models.neurons import IFNeuron
from mmsnn.models.time import folded_time_steps, set_time_steps


def test_repeat_then_decode():
    x = torch.randn(3, 4, 5, 5)
    folded = TimeRepeat(time_steps=4)(x)
    assert folded.shape == (12, 4, 5, 5)
    for t in range(4):  # time-major: rows t*B:(t+1)*B are step t
        assert torch.equal(folded[t * 3:(t + 1) * 3], x)
    assert torch.allclose(TimeDecode('mean', time_steps=4)(folded), x)
    assert torch.allclose(TimeDecode('sum', time_steps=4)(folded), 4 * x)
    assert torch.allclose(TimeDecode('rate', time_steps=4)(folded), x)


def test_decode_reduces_the_time_axis_only():
    # step t of image b holds 10*t + b: the mean over t is 15 + b at T=4
    x = (10 * torch.arange(4.)[:, None] + torch.arange(2.)).reshape(8, 1)
    assert TimeDecode(time_steps=4)(x).flatten().tolist() == [15., 16.]
    assert TimeDecode('sum', time_steps=4)(x).flatten().tolist() == [60., 64.]


def test_adapters_map_over_feature_tuples():
    feats = (torch.randn(2, 3, 8, 8), torch.randn(2, 6, 4, 4))
    folded = TimeRepeat(time_steps=3)(feats)
    assert isinstance(folded, tuple)
    assert [f.shape[0] for f in folded] == [6, 6]
    decoded = TimeDecode(time_steps=3)(folded)
    assert isinstance(decoded, tuple)
    for d, f in zip(decoded, feats):
        assert torch.allclose(d, f)
    assert isinstance(TimeRepeat(time_steps=2)(list(feats)), list)


def test_repeat_is_differentiable():
    x = torch.randn(2, 3, requires_grad=True)
    TimeDecode('sum', time_steps=5)(TimeRepeat(time_steps=5)(x)).sum() \
        .backward()
    assert torch.allclose(x.grad, torch.full_like(x, 5.))


def test_bad_arguments():
    with pytest.raises(ValueError, match='decode_mode'):
        TimeDecode('median')
    with pytest.raises(ValueError, match='time_steps'):
        TimeRepeat(time_steps=0)
    with pytest.raises(ValueError, match='T\\*B rows'):
        TimeDecode(time_steps=4)(torch.randn(6, 2))


def test_time_mismatch_is_an_error():
    folded = TimeRepeat(time_steps=2)(torch.randn(3, 2))
    assert folded_time_steps(folded) == 2
    # 6 rows would also read as 3 steps of 2 images: the tag catches it
    with pytest.raises(ValueError, match='time_steps=3.*time_steps=2'):
        TimeDecode(time_steps=3)(folded)
    with pytest.raises(ValueError, match='already time-folded'):
        TimeRepeat(time_steps=2)(folded)
    # decoding hands untagged real values to the ANN side
    assert folded_time_steps(TimeDecode(time_steps=2)(folded)) is None


def test_time_sequential_owns_time_steps():
    seq = MODELS.build(
        dict(
            type='TimeSequential',
            time_steps=3,
            modules=[
                dict(type='TimeRepeat'),
                dict(type='IFNeuron'),
                dict(type='TimeDecode', decode_mode='mean')
            ]))
    assert [m.time_steps for m in seq] == [3, 3, 3]
    # constant input 0.4 over 3 steps: V 0.4, 0.8, 1.2 -> one spike
    x = torch.full((2, 5), 0.4)
    assert torch.allclose(seq(x), torch.full((2, 5), 1 / 3))
    seq.time_steps = 5  # 0.4 x 5 = 2.0: two spikes in five steps
    assert [m.time_steps for m in seq] == [5, 5, 5]
    assert torch.allclose(seq(x), torch.full((2, 5), 2 / 5))
    # a detector that owns T reaches the modules inside the container
    outer = nn.Sequential(nn.Identity(), seq)
    set_time_steps(outer, 2)
    assert [m.time_steps for m in seq] == [2, 2, 2]


def test_time_sequential_takes_modules_and_rejects_a_dict():
    seq = TimeSequential([TimeRepeat(), IFNeuron()], time_steps=2)
    assert seq(torch.ones(1, 3)).shape == (2, 3)
    with pytest.raises(TypeError, match='list of module configs'):
        TimeSequential(dict(type='TimeRepeat'))
    with pytest.raises(TypeError, match='list of module configs'):
        TimeSequential([])


def test_decode_mode_is_the_one_name_old_names_warn():
    from mmsnn.models.layers import spikify
    folded = TimeRepeat(time_steps=2)(torch.ones(1, 3))
    assert TimeDecode().decode_mode == 'mean'
    with pytest.warns(DeprecationWarning, match='`mode` is deprecated'):
        old = MODELS.build(dict(type='TimeDecode', mode='sum', time_steps=2))
    assert old.decode_mode == old.mode == 'sum'
    assert torch.equal(old(folded), torch.full((1, 3), 2.))
    with pytest.raises(ValueError, match='disagree'):
        TimeDecode(decode_mode='mean', mode='sum')

    def fpn(**kwargs):
        return spikify(
            dict(type='FPN', in_channels=[4], out_channels=4, num_outs=1,
                 act_cfg=dict(type='IFNeuron')),
            encode=False, neuron_cfg=None, **kwargs)

    assert fpn(decode_mode='sum').spike_decode == 'sum'
    assert fpn().spike_decode is None
    with pytest.warns(DeprecationWarning, match='`decode` is deprecated'):
        assert fpn(decode='mean').spike_decode == 'mean'
    with pytest.raises(ValueError, match="decode_mode must be one of.*'max'"):
        fpn(decode_mode='max')
