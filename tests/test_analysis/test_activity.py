"""ActivityRecorder: per-module records, kinds, stages, hook removal."""
import math

import pytest
import torch
import torch.nn as nn

from mmsnn.analysis import ActivityRecorder, stage_of
from mmsnn.models.neurons import IFNeuron


class SharedNeuron(nn.Module):
    """Two convs that share one neuron module (a generic spiking block)."""

    def __init__(self, T):
        super().__init__()
        self.conv_a = nn.Conv2d(2, 3, 1)
        self.conv_b = nn.Conv2d(3, 3, 1)
        self.neuron = IFNeuron(time_steps=T)

    def forward(self, x):
        return self.neuron(self.conv_b(self.neuron(self.conv_a(x))))


def test_shared_neuron_is_one_record_over_all_calls():
    T = 3
    torch.manual_seed(0)
    model = SharedNeuron(T)
    x = torch.randn(T * 2, 2, 5, 5) * 3
    spikes = []
    model.neuron.register_forward_hook(lambda m, a, out: spikes.append(out))
    with ActivityRecorder([('neuron', model.neuron)]) as rec:
        model(x)
    s = rec.stats['neuron']
    assert s.calls == 2 and s.rows == 2 * T * 2
    assert s.numel == sum(o.numel() for o in spikes)
    assert s.rate == pytest.approx(
        sum(o.sum().item() for o in spikes) / s.numel)
    assert 0 <= s.rate <= 1 and s.kind == 'spikes'


def test_input_kinds_and_reset_and_remove():
    conv = nn.Conv2d(2, 2, 1)
    rec = ActivityRecorder([('conv', conv)], where='input',
                           check_values=True).attach()
    conv(torch.tensor([0., 1.]).view(1, 2, 1, 1))
    assert rec.stats['conv'].kind == 'spikes'
    conv(torch.tensor([0., 2.]).view(1, 2, 1, 1))
    assert rec.stats['conv'].kind == 'spike counts'
    assert rec.stats['conv'].rate == pytest.approx(3 / 4)
    conv(torch.tensor([0.5, 1.]).view(1, 2, 1, 1))
    assert rec.stats['conv'].kind == 'real-valued'
    rec.reset()
    assert rec.stats['conv'].calls == 0 and math.isnan(rec.stats['conv'].rate)
    rec.remove()
    assert not conv._forward_pre_hooks
    conv(torch.ones(1, 2, 1, 1))
    assert rec.stats['conv'].calls == 0


def test_stage_rates_pool_neurons():
    a, b, c = nn.Identity(), nn.Identity(), nn.Identity()
    rec = ActivityRecorder([('backbone.conv_res_block1.a', a),
                            ('backbone.conv_res_block1.b', b),
                            ('neck.c', c)]).attach()
    a(torch.ones(4))
    b(torch.zeros(12))
    c(torch.tensor([1., 0.]))
    assert rec.stage_rates() == {
        'backbone.conv_res_block1': 4 / 16, 'neck': 0.5}
    assert rec.mean_rate() == pytest.approx(5 / 18)


def test_stage_of():
    assert stage_of('backbone.conv1.activate') == 'backbone.conv1'
    assert stage_of('backbone.conv_res_block3.res0.conv1.activate') == \
        'backbone.conv_res_block3'
    assert stage_of('neck.detect1.conv1.activate') == 'neck'
    assert stage_of('bbox_head.convs_bridge.0.activate') == 'bbox_head'
    assert stage_of('neck.x', split=('neck', )) == 'neck.x'


def test_bad_where():
    with pytest.raises(ValueError, match='where must be one of'):
        ActivityRecorder([], where='inside')
