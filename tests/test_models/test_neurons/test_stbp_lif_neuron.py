"""STBPLIFNeuron is EMS-YOLO's ``mem_update``: dynamics, strict threshold,
detached reset and rectangular surrogate, on both backends."""
import pytest
import torch

from mmsnn.models.neurons import STBPLIFNeuron
from mmsnn.utils.input_error import ConfigValueError
from .helpers import run, run_with_grads


class _TheirActFun(torch.autograd.Function):
    """EMS-YOLO's ``ActFun``, re-stated: ``gt(0.5)``, window 0.5 / 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.gt(0.5).float()

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * ((x - 0.5).abs() < 0.5).float() / (2 * 0.5)


def their_mem_update(x_seq):
    """EMS-YOLO's ``mem_update(act=False)`` on ``[T, ...]``, re-stated."""
    out, mem, spike = [], None, None
    for t in range(x_seq.shape[0]):
        mem = x_seq[t] if t == 0 else \
            mem * 0.25 * (1 - spike.detach()) + x_seq[t]
        spike = _TheirActFun.apply(mem)
        out.append(spike)
    return torch.stack(out)


def test_dynamics_by_hand():
    neuron = STBPLIFNeuron(time_steps=5)
    # I = 0.3: h 0.3, 0.375, 0.39375 (no spike: decay 0.25 keeps it low)
    assert run(neuron, torch.full((3, 1), 0.3)).flatten().tolist() == [0] * 3
    # I = 0.4, 0.2: 0.4, 0.3 -> no; I = 0.45 then 0.4: 0.45, 0.5125 fires
    spikes = run(neuron, torch.tensor([[0.45], [0.4], [0.4], [0.6], [0.]]))
    # h: .45, .5125* -> 0, .4, .7* -> 0, 0
    assert spikes.flatten().tolist() == [0, 1, 0, 1, 0]


@pytest.mark.parametrize('backend', ['fused', 'autograd'])
def test_fires_strictly_above_threshold(backend):
    neuron = STBPLIFNeuron(time_steps=2, backend=backend)
    spikes = run(neuron, torch.tensor([[0.5, 0.5 + 1e-6], [0., 0.]]))
    assert spikes[0].tolist() == [0., 1.]


@pytest.mark.parametrize('backend', ['fused', 'autograd'])
def test_equals_their_mem_update_with_gradients(backend):
    torch.manual_seed(0)
    x = torch.rand(5, 64, 7) * 1.5 - 0.3
    weight = torch.randn(5, 64, 7)
    spikes, grad, _ = run_with_grads(
        STBPLIFNeuron(time_steps=5, backend=backend), x, weight)
    ref_x = x.clone().requires_grad_()
    ref = their_mem_update(ref_x)
    (ref * weight).sum().backward()
    assert torch.equal(spikes, ref)
    assert ref.mean() > 0.1  # fires enough for the test to mean something
    torch.testing.assert_close(grad, ref_x.grad, rtol=1e-6, atol=1e-7)


def test_fused_equals_autograd_in_double():
    torch.manual_seed(1)
    x = (torch.rand(4, 200) * 2 - 0.5).double()
    weight = torch.randn(4, 200).double()
    outs = [
        run_with_grads(STBPLIFNeuron(time_steps=4, backend=b), x, weight)
        for b in ('fused', 'autograd')
    ]
    assert torch.equal(outs[0][0], outs[1][0])
    torch.testing.assert_close(outs[0][1], outs[1][1], rtol=0, atol=1e-15)


def test_other_constants():
    neuron = STBPLIFNeuron(decay=0.5, v_threshold=1.0, surrogate_width=0.25,
                           time_steps=3)
    # h: 0.8, 1.2* -> 0, 0.8
    assert run(neuron, torch.full((3, 1), 0.8)).flatten().tolist() == \
        [0, 1, 0]
    x = torch.tensor([[0.8], [0.8], [0.8]], requires_grad=True)
    run(neuron, x).sum().backward()
    # every |u| = 0.2 < 0.25: g' = 1 / 0.5 = 2 at each step; the spike at
    # t=1 cuts the path from h[2] back to h[1] (detached reset), h[0]
    # reaches h[1] through the leak: 2 + 0.5 * 2
    assert x.grad.flatten().tolist() == [3.0, 2.0, 2.0]


@pytest.mark.parametrize('kwargs', [
    dict(decay=0.), dict(decay=1.5), dict(v_threshold=-1.),
    dict(surrogate_width=0.)
])
def test_bad_constants_are_refused(kwargs):
    with pytest.raises(ConfigValueError, match='STBPLIFNeuron'):
        STBPLIFNeuron(**kwargs)
