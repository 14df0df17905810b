"""SpikingJellyNeuron equals spikingjelly's node run directly on the same
sequence, from rest at every call."""
import pytest
import torch
from spikingjelly.activation_based import neuron as sj_neuron
from spikingjelly.activation_based import surrogate

from mmsnn.models.neurons import SpikingJellyNeuron
from .helpers import run_with_grads

NODES = [
    ('IFNode', dict()),
    ('LIFNode', dict(tau=2.)),
    ('PLIFNode', dict(init_tau=2.)),  # alias of ParametricLIFNode
    ('ILIFNode', dict()),  # SpikeYOLO's I-LIF: integer counts 0..4
]


@pytest.mark.parametrize('node, kwargs', NODES)
def test_equals_the_node_run_directly(node, kwargs):
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, dtype=torch.float64) * 2
    weight = torch.randn_like(x)
    wrapped = SpikingJellyNeuron(node=node, **kwargs).double()
    s, g, p = run_with_grads(wrapped, x, weight)
    name = {'PLIFNode': 'ParametricLIFNode'}.get(node, node)
    direct = getattr(sj_neuron, name)(step_mode='m', **kwargs).double()
    xi = x.clone().requires_grad_()
    ref = direct(xi)
    (ref * weight).sum().backward()
    assert torch.equal(s, ref)
    torch.testing.assert_close(g, xi.grad)
    for (n, grad), q in zip(p.items(), direct.parameters()):
        torch.testing.assert_close(grad, q.grad)
    if node == 'ILIFNode':
        assert s.max() > 1  # integer-valued spikes
    # from rest at every call: the same output again, no state left
    torch.testing.assert_close(run_with_grads(wrapped, x, weight)[0], s)


def test_surrogate_from_config_and_own_default():
    atan = SpikingJellyNeuron(node='LIFNode',
                              surrogate_function=dict(type='ATan', alpha=3.))
    assert isinstance(atan.node.surrogate_function, surrogate.ATan)
    assert atan.node.surrogate_function.alpha == 3.
    # spikingjelly's own default surrogate otherwise
    assert isinstance(SpikingJellyNeuron(node='LIFNode').node.
                      surrogate_function, surrogate.Sigmoid)


def test_single_step_keeps_state_until_reset():
    neuron = SpikingJellyNeuron(node='IFNode', step_mode='s')
    x = torch.tensor([0.6])
    assert neuron(x).item() == 0
    assert neuron(x).item() == 1
    neuron.reset()
    assert neuron(x).item() == 0


@pytest.mark.parametrize('kwargs, culprit', [
    (dict(node='NoSuchNode'), 'available: .*ILIFNode.*LIFNode'),
    (dict(node='LIFNode', tau=1.), r'SpikingJellyNeuron\(LIFNode\): tau'),
    (dict(node='IFNode', v_threshold=float('nan')), 'v_threshold'),
    (dict(node='LIFNode', surrogate_function=dict(type='Relu')), 'Relu'),
    (dict(node='IFNode', no_such_arg=1), 'rejected the arguments'),
    (dict(node='IFNode', backend='fused'), 'backend'),
])
def test_bad_arguments_named(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        SpikingJellyNeuron(**kwargs)


def test_sltt_needs_the_nodes_explicit_state_step():
    from mmsnn.models.neurons.bptt_mode import BPTTMode
    from mmsnn.utils.input_error import ConfigValueError
    neuron = SpikingJellyNeuron(node='SimpleIFNode', time_steps=2)
    neuron.bptt = BPTTMode('sltt')
    x = torch.rand(4, 3, requires_grad=True)
    with pytest.raises(ConfigValueError,
                       match=r"node='SimpleIFNode'.*no explicit-state step"
                       r".*mode='full'"):
        neuron(x)
    with torch.no_grad():  # the forward alone is BPTT's: the node's own
        neuron(x)
