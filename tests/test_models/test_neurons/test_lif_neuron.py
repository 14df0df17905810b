"""LIFNeuron and ParametricLIFNeuron: dynamics by hand and closed form,
surrogate gradients, fused == per-step, equality with spikingjelly's
nodes."""
import math

import pytest
import torch
from spikingjelly.activation_based import neuron as sj_neuron
from spikingjelly.activation_based import surrogate

from mmsnn.models.neurons import LIFNeuron, ParametricLIFNeuron
from .helpers import run, run_with_grads


def test_soft_reset_hand_computed():
    # tau = 2, I = 1.5: h = v + (I - v) / 2 -> 0.75, 1.125* (v 0.125),
    # 0.8125, 1.15625* (v 0.15625), 0.828125, 1.1640625*
    x = torch.full((6, 1), 1.5, dtype=torch.float64)
    for backend in ('autograd', 'fused'):
        s = run(LIFNeuron(tau=2., backend=backend), x)
        assert s.flatten().tolist() == [0, 1, 0, 1, 0, 1]


def test_hard_reset_to_v_reset_hand_computed():
    # v_reset = -0.5 (also rest), tau = 2, I = 2:
    # h = v + (I - (v - v_reset)) / 2 -> 0.5, 1.0* (H(0) = 1) -> -0.5, ...
    x = torch.full((6, 1), 2.0, dtype=torch.float64)
    for backend in ('autograd', 'fused'):
        neuron = LIFNeuron(tau=2., reset_mode='hard', v_reset=-0.5,
                           backend=backend)
        assert run(neuron, x).flatten().tolist() == [0, 1, 0, 1, 0, 1]


@pytest.mark.parametrize('decay_input', [True, False])
def test_leak_is_the_closed_form(decay_input):
    # below threshold from rest: h[t] = c I (1 - k^(t+1)) / (1 - k), with
    # k = 1 - 1/tau and c = 1/tau (decay_input) or 1
    tau, current = 3., 0.4
    k = 1 - 1 / tau
    c = 1 / tau if decay_input else 1.
    neuron = LIFNeuron(tau=tau, decay_input=decay_input, v_threshold=100.,
                       step_mode='s').double()
    x = torch.tensor([current], dtype=torch.float64)
    for t in range(8):
        assert neuron(x).item() == 0
        expected = c * current * (1 - k**(t + 1)) / (1 - k)
        assert neuron.v.item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize('backend', ['autograd', 'fused'])
def test_first_spike_when_closed_form_crosses_threshold(backend):
    # tau 4, I 1, Vth 0.7: 1 - 0.75^(t+1) >= 0.7 first at t = 4
    t_first = math.ceil(math.log(0.3) / math.log(0.75)) - 1
    assert t_first == 4
    x = torch.ones(6, 1, dtype=torch.float64)
    s = run(LIFNeuron(tau=4., v_threshold=0.7, backend=backend), x)
    assert s.flatten().tolist().index(1) == t_first


@pytest.mark.parametrize('alpha', [0.5, 2.0])
def test_surrogate_gradient_is_atan_of_the_charge(alpha):
    # one step from rest: h = x / tau, dS/dx = d/dx atan-surrogate(h - Vth)
    tau = 3.
    x = torch.tensor([-1.0, 0.5, 2.9, 3.0, 4.5], dtype=torch.float64)
    for backend in ('autograd', 'fused'):
        xi = x.clone().requires_grad_()
        LIFNeuron(tau=tau, surrogate_alpha=alpha, time_steps=1,
                  backend=backend)(xi.view(5, 1)).sum().backward()
        y = x.clone().requires_grad_()
        # the primitive of Eq. 5: atan(pi/2 alpha u) / pi + 1/2
        (torch.atan(math.pi / 2 * alpha * (y / tau - 1)) / math.pi +
         0.5).sum().backward()
        torch.testing.assert_close(xi.grad, y.grad)


CASES = [
    dict(reset_mode='soft'),
    dict(reset_mode='soft', detach_reset=True),
    dict(reset_mode='hard'),
    dict(reset_mode='hard', v_reset=-0.3, detach_reset=True),
    dict(reset_mode='hard', v_reset=-0.3, decay_input=False),
    dict(reset_mode='soft', decay_input=False),
]


@pytest.mark.parametrize('cls', [LIFNeuron, ParametricLIFNeuron])
@pytest.mark.parametrize('kwargs', CASES)
def test_fused_equals_autograd(cls, kwargs):
    torch.manual_seed(0)
    x = torch.randn(5, 3, 2, 4, dtype=torch.float64) * 2
    weight = torch.randn_like(x)
    results = []
    for backend in ('autograd', 'fused'):
        neuron = cls(backend=backend, learnable_threshold=True,
                     **kwargs).double()
        results.append(run_with_grads(neuron, x, weight))
    (s_ref, g_ref, p_ref), (s, g, p) = results
    assert torch.equal(s_ref, s)
    assert s.sum() > 0 and (1 - s).sum() > 0
    torch.testing.assert_close(g, g_ref)
    assert set(p) == set(p_ref) == (
        {'v_threshold', 'w'} if cls is ParametricLIFNeuron else
        {'v_threshold'})
    for name in p:
        torch.testing.assert_close(p[name], p_ref[name])
        assert p[name].abs() > 0


SJ_SOFT = dict(v_reset=None)
SJ_HARD = dict(v_reset=-0.3)


@pytest.mark.parametrize('ours, theirs', [
    (dict(reset_mode='soft'), SJ_SOFT),
    (dict(reset_mode='hard', v_reset=-0.3), SJ_HARD),
    (dict(reset_mode='soft', decay_input=False),
     dict(SJ_SOFT, decay_input=False)),
])
@pytest.mark.parametrize('parametric', [False, True])
def test_equals_spikingjelly_node_with_atan(ours, theirs, parametric):
    """Same spikes and gradients as spikingjelly's LIFNode / PLIF node run
    on the same sequence with the same surrogate."""
    torch.manual_seed(0)
    x = torch.randn(5, 3, 6, dtype=torch.float64) * 2
    weight = torch.randn_like(x)
    if parametric:
        mine = ParametricLIFNeuron(init_tau=3., **ours).double()
        node = sj_neuron.ParametricLIFNode(
            init_tau=3., surrogate_function=surrogate.ATan(alpha=2.),
            step_mode='m', **theirs).double()
    else:
        mine = LIFNeuron(tau=3., **ours).double()
        node = sj_neuron.LIFNode(
            tau=3., surrogate_function=surrogate.ATan(alpha=2.),
            step_mode='m', **theirs)
    s, g, p = run_with_grads(mine, x, weight)
    xi = x.clone().requires_grad_()
    ref = node(xi)
    (ref * weight).sum().backward()
    assert torch.equal(s, ref.to(s.dtype))
    torch.testing.assert_close(g, xi.grad)
    if parametric:
        torch.testing.assert_close(p['w'], node.w.grad)


def test_plif_tau_is_learnt_from_init_tau():
    neuron = ParametricLIFNeuron(init_tau=3.)
    # spikingjelly's parametrisation: w = -log(tau - 1), 1/tau = sigmoid(w)
    assert neuron.w.item() == pytest.approx(-math.log(2.))
    assert neuron.tau == pytest.approx(3.)
    assert [n for n, _ in neuron.named_parameters()] == ['w']
    assert list(neuron.state_dict()) == ['w']
    with pytest.raises(TypeError, match='init_tau'):
        ParametricLIFNeuron(tau=3.)


@pytest.mark.parametrize('cls, kwargs, culprit', [
    (LIFNeuron, dict(tau=1.0), 'LIFNeuron: tau'),
    (LIFNeuron, dict(tau=0.5), 'LIFNeuron: tau'),
    (LIFNeuron, dict(tau=float('nan')), 'LIFNeuron: tau'),
    (LIFNeuron, dict(v_threshold=float('nan')), 'LIFNeuron: v_threshold'),
    (LIFNeuron, dict(surrogate_alpha=0), 'LIFNeuron: surrogate_alpha'),
    (LIFNeuron, dict(v_reset=0.5, reset_mode='soft'), 'LIFNeuron: v_reset'),
    (LIFNeuron, dict(v_reset=2., reset_mode='hard'), 'LIFNeuron: v_reset'),
    (ParametricLIFNeuron, dict(init_tau=1.), 'ParametricLIFNeuron: init_tau'),
])
def test_bad_arguments_named(cls, kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        cls(**kwargs)
