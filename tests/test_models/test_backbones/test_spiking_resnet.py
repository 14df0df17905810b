import pytest
import torch
import torch.nn as nn
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmengine.registry import init_default_scope

from mmsnn.models.backbones import SpikingResNet
from mmsnn.models.layers import set_step_mode, spikify, spiking_modules
from mmsnn.models.layers.time_folding import folded_time_steps

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
