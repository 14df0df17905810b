import pytest
import torch
import torch.nn as nn
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmengine.registry import init_default_scope

from mmsnn.models.backbones import SpikingResNet
from mmsnn.models.layers import TimeRepeat, spikify
from mmsnn.models.neurons import set_step_mode, spiking_modules
from mmsnn.models.time import (fold_time, folded_time_steps, mark_time_folded,
                               repeat_over_time)
from mmsnn.utils import ConfigValueError

TINY = dict(depth=18, base_channels=8, out_indices=(0, 1, 2, 3),
            norm_eval=False)


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def test_shapes_spikes_and_names():
    torch.manual_seed(0)
    model = SpikingResNet(time_steps=3, **TINY)
    outs = model(torch.randn(2, 3, 64, 64) * 2)
    assert [o.shape for o in outs] == [(6, 8, 16, 16), (6, 16, 8, 8),
                                      (6, 32, 4, 4), (6, 64, 2, 2)]
    assert folded_time_steps(outs) == 3
    for o in outs:
        assert set(o.unique().tolist()) <= {0., 1.}
    assert outs[0].sum() > 0
    assert not any(isinstance(m, nn.ReLU) for m in model.modules())
    # mmdet's names, nothing added: ResNet checkpoints load strictly
    stock = ResNet(**TINY)
    assert list(model.state_dict()) == list(stock.state_dict())
    model.load_state_dict(stock.state_dict(), strict=True)


@pytest.mark.parametrize('deep_stem', [False, True])
def test_encoding_once_equals_stem_on_t_copies(deep_stem):
    """The stem's conv + BN on the image, repeated, is what mmdet's ResNet
    stem computes on T copies of the image (BN statistics included)."""
    torch.manual_seed(0)
    cfg = dict(TINY, deep_stem=deep_stem, avg_down=deep_stem)
    once = SpikingResNet(time_steps=3, **cfg)
    copies = spikify(dict(type='ResNet', **cfg), encode=True, time_steps=3)
    copies.load_state_dict(once.state_dict())
    x = torch.randn(2, 3, 32, 32) * 2
    for mode in ('train', 'eval'):
        getattr(once, mode)()
        getattr(copies, mode)()
        outs = once(x)
        if mode == 'train':  # untrained running stats may silence eval
            assert outs[0].sum() > 0
        for a, b in zip(outs, copies(x)):
            assert torch.equal(a, b)


def test_time_steps_reach_every_neuron_and_gradients_the_stem():
    model = MODELS.build(dict(type='SpikingResNet', time_steps=2, **TINY))
    model.time_steps = 4
    assert {n.time_steps for _, n in spiking_modules(model)} == {4}
    outs = model(torch.randn(1, 3, 64, 64) * 2)
    assert outs[0].shape[0] == 4
    sum(o.sum() for o in outs).backward()
    assert model.conv1.weight.grad.abs().sum() > 0


def test_single_step_mode_is_refused():
    model = SpikingResNet(**TINY)
    set_step_mode(model, 's')
    with pytest.raises(RuntimeError, match="step_mode 's'"):
        model(torch.randn(1, 3, 32, 32))


def test_train_returns_self_and_keeps_norm_eval():
    model = SpikingResNet(**dict(TINY, norm_eval=True))
    assert model.train() is model
    assert not model.bn1.training


# encoding='sequence': event frames, each step its own input.


def _sequence(frames):
    """``[T, B, C, H, W]`` -> ``[T*B, C, H, W]`` tagged with its T."""
    return mark_time_folded(fold_time(frames), frames.shape[0])


def test_direct_is_the_default():
    torch.manual_seed(0)
    default = SpikingResNet(time_steps=3, **TINY).eval()
    direct = SpikingResNet(time_steps=3, encoding='direct', **TINY).eval()
    direct.load_state_dict(default.state_dict())
    assert default.encoding == 'direct'
    assert isinstance(default.relu[0], TimeRepeat)
    x = torch.randn(2, 3, 32, 32) * 2
    with torch.no_grad():
        for a, b in zip(default(x), direct(x)):
            assert torch.equal(a, b)


@pytest.mark.parametrize('deep_stem', [False, True])
def test_sequence_of_identical_frames_equals_direct_encoding(deep_stem):
    """T copies of an image as a sequence is direct encoding of the image,
    in train mode (T copies have the image batch's BN statistics) and eval
    mode. Count frames (integers, as event histograms) keep the stem's
    sums exact, so no spike flips at the threshold by rounding."""
    torch.manual_seed(0)
    cfg = dict(TINY, deep_stem=deep_stem, avg_down=deep_stem, in_channels=2)
    direct = SpikingResNet(time_steps=3, **cfg)
    seq = SpikingResNet(time_steps=3, encoding='sequence', **cfg)
    assert not any(isinstance(m, TimeRepeat) for m in seq.modules())
    assert list(seq.state_dict()) == list(direct.state_dict())
    x = torch.randint(0, 5, (2, 2, 32, 32)).float()
    with torch.no_grad():  # running statistics that let eval mode fire
        for _ in range(10):
            direct(x)
    for mode in ('train', 'eval'):
        seq.load_state_dict(direct.state_dict())
        getattr(direct, mode)()
        getattr(seq, mode)()
        with torch.no_grad():
            a = direct(x)
            b = seq(mark_time_folded(repeat_over_time(x, 3), 3))
        assert a[0].sum() > 0
        assert folded_time_steps(b) == 3
        for u, v in zip(a, b):
            torch.testing.assert_close(u, v)


def test_sequence_step_t_sees_frame_t():
    """Changing only the last frame leaves the earlier steps' outputs alone
    (neurons are causal, the stem runs per frame) and changes the last."""
    torch.manual_seed(0)
    seq = SpikingResNet(time_steps=3, encoding='sequence',
                        **dict(TINY, in_channels=2, out_indices=(0, )))
    seq.train()  # BN statistics of the batch, then frozen for eval
    with torch.no_grad():
        seq(_sequence(torch.rand(3, 4, 2, 32, 32) * 4))
    seq.eval()
    frames = torch.rand(3, 2, 2, 32, 32) * 4  # [T, B, C, H, W]
    changed = frames.clone()
    changed[2] = 0
    with torch.no_grad():
        (a, ), (b, ) = seq(_sequence(frames)), seq(_sequence(changed))
    assert a.sum() > 0
    torch.testing.assert_close(a[:4], b[:4])  # steps 0 and 1
    assert not torch.equal(a[4:], b[4:])


def test_sequence_input_errors_are_clear():
    seq = SpikingResNet(time_steps=3, encoding='sequence',
                        **dict(TINY, in_channels=2))
    with pytest.raises(ValueError, match='not a time-folded sequence'):
        seq(torch.rand(2, 2, 32, 32))  # an image batch, [B, C, H, W]
    with pytest.raises(ValueError, match='T=3 time steps, but its input '
                       'sequence has 4 time bins'):
        seq(mark_time_folded(torch.rand(8, 2, 32, 32), 4))
    with pytest.raises(ValueError, match=r'\(7, 2, 32, 32\) has 7 rows, not '
                       'a multiple of T'):
        seq(mark_time_folded(torch.rand(7, 2, 32, 32), 3))
    with pytest.raises(ConfigValueError, match="SpikingResNet: encoding must"
                       " be one of .*got 'rate'"):
        SpikingResNet(encoding='rate', **TINY)
