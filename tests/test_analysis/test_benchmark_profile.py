"""mmsnn.analysis.benchmark.profile: operators grouped, the parts' forward
scoped (also when called directly), two profiles side by side."""
import pytest
import torch
import torch.nn as nn

from mmsnn.analysis.benchmark import (format_profile, operator_group,
                                      profile_difference, profile_step)
from mmsnn.models.neurons import IFNeuron


@pytest.mark.parametrize('name,group', [
    ('aten::convolution_backward', 'convolution'),
    ('aten::mkldnn_convolution', 'convolution'),
    ('aten::native_batch_norm_backward', 'batch norm'),
    ('NeuronMultiStepBackward', 'neurons'),
    ('Torch-Compiled Region: 0/1', 'torch.compile calls'),
    ('TorchDynamo Cache Lookup', 'torch.compile calls'),
    ('## Call CompiledFxGraph fcc7oj64 ##', 'neurons'),
    ('aten::leaky_relu_backward', 'activation (ANN)'),
    ('Optimizer.step#SGD.step', 'optimizer'),
    ('aten::_foreach_mul_', 'optimizer'),
    ('aten::add_', 'elementwise'),
    ('aten::cat', 'copies and reshapes'),
    ('aten::nonzero', 'other'),
])
def test_operators_fall_into_their_groups(name, group):
    assert operator_group(name) == group


class Tiny(nn.Module):
    """A detector's shape: backbone (with a neuron) and head."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1),
                                      IFNeuron(time_steps=2))
        self.bbox_head = nn.Conv2d(8, 4, 1)

    def forward(self, x):  # the head called directly, as mmdet's _forward
        return self.bbox_head.forward(self.backbone(x))


def test_profile_groups_sum_to_the_total_and_scope_the_parts():
    model = Tiny()
    x = torch.randn(4, 3, 16, 16)

    def step():
        model(x).sum().backward()

    step()
    result = profile_step(step, steps=2, model=model, top=5)
    assert result['steps'] == 2 and len(result['operators']) == 5
    assert sum(result['groups'].values()) == pytest.approx(
        result['self_cpu_ms'])
    assert result['groups']['convolution'] > 0
    assert result['groups']['neurons'] > 0
    assert set(result['parts_forward_ms']) == {'backbone', 'bbox_head'}
    assert all(ms > 0 for ms in result['parts_forward_ms'].values())
    assert 'forward' not in model.bbox_head.__dict__  # restored
    text = format_profile(dict(snn=result, ann=result), 'snn', 'ann')
    assert 'where the time goes' in text and 'bbox_head forward' in text


def test_difference_orders_groups_by_size_total_last():
    def prof(**groups):
        full = dict.fromkeys(['convolution', 'neurons', 'other'], 0.)
        full.update(groups)
        return dict(groups=full, self_cpu_ms=sum(full.values()))

    rows = profile_difference(prof(convolution=10., neurons=5.),
                              prof(convolution=9., other=2.))
    assert [r[0] for r in rows] == ['neurons', 'other', 'convolution',
                                    'total']
    assert rows[-1] == ('total', 15., 11.)


def test_what_runs_inside_a_neuron_counts_as_neurons():
    """The autograd backend's forward is plain aten operators: by name they
    are elementwise, by scope they are the neuron's."""
    neuron = IFNeuron(time_steps=2, backend='autograd')
    x = torch.randn(4, 8, 16, 16)

    def step():
        with torch.no_grad():
            neuron(x)

    step()
    by_name = profile_step(step, steps=1)
    by_scope = profile_step(step, steps=1, model=nn.Sequential(neuron))
    assert by_name['groups']['neurons'] == 0
    assert by_name['groups']['elementwise'] > 0
    assert by_scope['groups']['neurons'] > 0
    assert by_scope['groups']['elementwise'] == 0
    assert 'forward' not in neuron.__dict__
