"""I-LIF: SpikeYOLO's dynamics and gradient, spikingjelly's ILIFNode, and
the binary expansion of spike-driven inference."""
import pytest
import torch
import torch.nn as nn
from spikingjelly.activation_based.neuron import ILIFNode

from mmsnn.models.neurons import ILIFNeuron
from mmsnn.utils import InputError
from ..test_detectors.spikeyolo_reference import lif as their_mem_update
from .helpers import run, run_with_grads


@pytest.mark.parametrize('max_spike', [1, 2, 4, 8])
def test_spikes_and_gradients_are_spikeyolos(max_spike):
    x_seq = torch.randn(4, 3, 50, generator=torch.Generator().manual_seed(0))
    x_seq = x_seq * max_spike
    weight = torch.randn(4, 3, 50)
    spikes, grad, _ = run_with_grads(
        ILIFNeuron(max_spike_count=max_spike), x_seq, weight)
    x = x_seq.clone().requires_grad_()
    expected = their_mem_update(x, max_spike)
    (expected * weight).sum().backward()
    torch.testing.assert_close(spikes, expected)
    torch.testing.assert_close(grad, x.grad)
    assert set(spikes.unique().tolist()) == set(range(max_spike + 1))


def test_equals_spikingjellys_ilif_node_with_detached_reset():
    x_seq = torch.randn(5, 2, 30) * 3
    node = ILIFNode(tau=4 / 3, detach_reset=True, step_mode='m')
    torch.testing.assert_close(run(ILIFNeuron(), x_seq), node(x_seq))


@pytest.mark.parametrize('field,value', [('max_spike_count', 0),
                                         ('max_spike_count', 2.0),
                                         ('decay', 1.5)])
def test_bad_arguments_are_named(field, value):
    with pytest.raises(InputError, match=field):
        ILIFNeuron(**{field: value})


def test_expansion_is_v_ones_then_zeros_and_sums_back():
    neuron = ILIFNeuron(max_spike_count=4, time_steps=2)
    counts = torch.tensor([[0., 3.], [4., 1.]])  # [T*B=2, 2]: T=2, B=1
    binary = neuron.expand(counts)
    assert binary.shape == (8, 2)
    assert binary[:, 1].tolist() == [1, 1, 1, 0, 1, 0, 0, 0]
    assert binary[:, 0].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    torch.testing.assert_close(neuron.sum_sub_steps(binary), counts)


@pytest.mark.parametrize('bias', [True, False])
def test_drive_in_spike_driven_mode_equals_integer_spikes(bias):
    torch.manual_seed(0)
    neuron = ILIFNeuron(max_spike_count=4, time_steps=3)
    conv = nn.Conv2d(4, 5, 3, padding=1, bias=bias)
    x = torch.randn(3 * 2, 4, 6, 6) * 3
    integer = neuron.drive(conv, x)
    seen = []
    conv.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    neuron.spike_driven = True
    binary = neuron.drive(conv, x)
    torch.testing.assert_close(binary, integer)
    (fed, ) = seen  # the conv ran on 0/1 spikes over T x D sub-steps
    assert fed.shape[0] == 3 * 4 * 2 and torch.equal(fed, (fed > 0).float())
    if bias:  # bias / D at each of the D sub-steps, not the bias D times
        full = neuron.sum_sub_steps(conv(fed))
        assert not torch.allclose(full, integer)


def test_spike_driven_mode_needs_one_conv():
    neuron = ILIFNeuron(time_steps=1, spike_driven=True)
    with pytest.raises(TypeError, match='reparameterise'):
        neuron.drive(nn.Sequential(nn.Conv2d(2, 2, 1)),
                     torch.ones(1, 2, 2, 2))
