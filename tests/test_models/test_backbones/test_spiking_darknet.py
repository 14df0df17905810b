import pytest
import torch
from mmdet.models.backbones import Darknet

from mmsnn.models.backbones import SpikingDarknet

TINY = dict(widen_factor=1 / 16, stage_blocks=(1, 1, 1, 1, 1))


def test_outputs_are_time_folded_spike_counts():
    torch.manual_seed(0)
    model = SpikingDarknet(time_steps=3, **TINY).eval()
    outs = model(torch.rand(2, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(6, 16, 8, 8), (6, 32, 4, 4),
                                              (6, 64, 2, 2)]
    for out in outs:  # spikes plus residual spikes: non-negative integers
        assert torch.equal(out, out.round()) and out.min() >= 0


@pytest.mark.parametrize('train', [False, True])
def test_encoder_once_equals_encoder_t_times(train):
    torch.manual_seed(0)
    once = SpikingDarknet(time_steps=4, **TINY)
    t_times = SpikingDarknet(time_steps=4, encode_once=False, **TINY)
    t_times.load_state_dict(once.state_dict())
    once.train(train)
    t_times.train(train)
    x = torch.rand(2, 3, 64, 64)
    for a, b in zip(once(x), t_times(x)):
        torch.testing.assert_close(a, b)


def test_mmdet_darknet_checkpoint_loads_strictly():
    ann = Darknet(depth=53).state_dict()
    snn = SpikingDarknet(depth=53)
    snn.load_state_dict(ann, strict=True)
    assert snn.state_dict().keys() == ann.keys()


def test_widen_changes_only_what_it_says():
    model = SpikingDarknet(**TINY)
    assert model.conv1.conv.out_channels == 2
    assert model.conv_res_block5.conv.out_channels == 64
    assert not hasattr(model, 'spp')  # YOLOv3-SPP's SPP is in the neck
    assert len(model.conv_res_block3) == 2  # downsample conv + 1 ResBlock
    out = model.eval()(torch.rand(1, 3, 64, 64))[-1]
    assert out.shape == (4, 64, 2, 2)


def test_norm_eval_defaults_to_false():
    assert SpikingDarknet(**TINY).norm_eval is False


def test_invalid_depth_named():
    with pytest.raises(KeyError, match='depth 21'):
        SpikingDarknet(depth=21)
