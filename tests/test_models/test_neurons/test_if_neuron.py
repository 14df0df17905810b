import math

import pytest
import torch
from mmcv.cnn import ConvModule
from spikingjelly.activation_based import surrogate

from mmsnn.models.neurons import IFNeuron
from .helpers import run


def test_soft_reset_hand_computed():
    # I = 0.375 each step (exact in binary), Vth = 1, reset by subtraction
    # (paper Eq. 1): V 0.375, 0.75, 1.125 -> spike, 0.5, 0.875, 1.25 ->
    # spike, 0.625, 1.0 -> spike (H(0) = 1), then 0.375 again.
    x = torch.full((9, 1), 0.375, dtype=torch.float64)
    s = run(IFNeuron(reset_mode='soft'), x).flatten().tolist()
    assert s == [0, 0, 1, 0, 0, 1, 0, 1, 0]


def test_hard_reset_hand_computed():
    # I = 0.75: V 0.75, 1.5 -> spike, reset to 0, 0.75, 1.5 -> spike ...
    x = torch.full((6, 1), 0.75, dtype=torch.float64)
    s = run(IFNeuron(reset_mode='hard'), x).flatten().tolist()
    assert s == [0, 1, 0, 1, 0, 1]
    # reset by subtraction keeps the residue 0.5: 0.75, 1.5*, 1.25*, 1.0*,
    # 0.75, 1.5*
    s = run(IFNeuron(reset_mode='soft'), x).flatten().tolist()
    assert s == [0, 1, 1, 1, 0, 1]


@pytest.mark.parametrize('backend', ['fused', 'autograd'])
def test_threshold_respected(backend):
    x = torch.full((5, 3), 0.99)
    s = run(IFNeuron(v_threshold=5.0, backend=backend), x)
    assert s.sum() == 0  # 4.95 < 5 after 5 steps
    s = run(IFNeuron(v_threshold=0.5, backend=backend), x)
    assert s.sum() == 15  # 0.99 >= 0.5 every step with soft reset


def test_single_step_state_carried_and_reset():
    neuron = IFNeuron(step_mode='s')
    x = torch.tensor([0.6])
    assert neuron(x).item() == 0
    assert neuron(x).item() == 1  # 1.2 >= 1: state carried across calls
    assert neuron.v.item() == pytest.approx(0.2)
    neuron.reset()
    assert neuron.v == 0
    assert neuron(x).item() == 0


def test_multi_step_calls_start_from_rest():
    neuron = IFNeuron(time_steps=2)
    x = torch.full((2, 1), 0.6)
    assert neuron(x).flatten().tolist() == [0, 1]
    assert neuron(x).flatten().tolist() == [0, 1]  # nothing carried over


@pytest.mark.parametrize('alpha', [0.5, 2.0, 4.0])
def test_surrogate_gradient_is_eq5(alpha):
    x = torch.tensor([-1.0, -0.3, 0.0, 0.2, 1.5], dtype=torch.float64,
                     requires_grad=True)
    # one step from rest with Vth = 1: dS/dI = g'(I - 1)
    neuron = IFNeuron(surrogate_alpha=alpha, time_steps=1)
    neuron(x.view(5, 1).T.contiguous().T).sum().backward()
    u = x.detach() - 1
    expected = alpha / (2 * (1 + (math.pi / 2 * alpha * u)**2))
    torch.testing.assert_close(x.grad, expected)
    # and it is spikingjelly's ATan
    y = x.detach().clone().requires_grad_()
    surrogate.ATan(alpha=alpha)(y - 1).sum().backward()
    torch.testing.assert_close(x.grad, y.grad)


@pytest.mark.parametrize('reset_mode', ['soft', 'hard'])
@pytest.mark.parametrize('detach_reset', [False, True])
def test_fused_equals_autograd(reset_mode, detach_reset):
    torch.manual_seed(0)
    x = torch.randn(4 * 3, 2, 5, 5, dtype=torch.float64) * 1.5
    outs, grads = [], []
    for backend in ('autograd', 'fused'):
        neuron = IFNeuron(reset_mode=reset_mode, detach_reset=detach_reset,
                          learnable_threshold=True, time_steps=4,
                          backend=backend).double()
        xi = x.clone().requires_grad_()
        y = neuron(xi)
        (y * torch.linspace(-1, 1, y.numel()).view_as(y)).sum().backward()
        outs.append(y)
        grads.append((xi.grad, neuron.v_threshold.grad))
    torch.testing.assert_close(outs[0], outs[1])
    torch.testing.assert_close(grads[0][0], grads[1][0])
    torch.testing.assert_close(grads[0][1], grads[1][1])
    assert grads[0][0].abs().sum() > 0


def test_learnable_threshold_is_a_named_parameter():
    neuron = IFNeuron(learnable_threshold=True)
    assert [n for n, _ in neuron.named_parameters()] == ['v_threshold']
    assert list(IFNeuron().parameters()) == []
    assert IFNeuron().state_dict() == {}  # fixed threshold: nothing to load


def test_act_cfg_in_conv_module_ignores_inplace():
    conv = ConvModule(3, 4, 3, padding=1, act_cfg=dict(type='IFNeuron'))
    assert isinstance(conv.activate, IFNeuron)
    out = conv(torch.randn(4 * 2, 3, 8, 8))  # T=4 (default), B=2
    assert set(out.unique().tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize('kwargs, culprit', [
    (dict(v_threshold=0), 'v_threshold'),
    (dict(v_threshold=-1.0), 'v_threshold'),
    (dict(v_threshold=float('nan')), 'v_threshold'),
    (dict(v_threshold=float('inf')), 'v_threshold'),
    (dict(surrogate_alpha=0), 'surrogate_alpha'),
    (dict(surrogate_alpha=float('nan')), 'surrogate_alpha'),
    (dict(backend='cuda'), 'backend'),
    (dict(reset_mode='zero'), 'reset_mode'),
    (dict(time_steps=0), 'time_steps'),
    (dict(time_steps=2.5), 'time_steps'),
])
def test_bad_arguments_named(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        IFNeuron(**kwargs)


def test_batch_not_divisible_by_time_steps():
    with pytest.raises(ValueError, match='T=4'):
        IFNeuron(time_steps=4)(torch.zeros(6, 2))
