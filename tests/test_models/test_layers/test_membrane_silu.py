"""MembraneSiLU: EMS-YOLO's mem_update(act=True), by hand and in a conv."""
import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule

from mmsnn.models.layers import MembraneSiLU


def test_recurrence_by_hand():
    act = MembraneSiLU(time_steps=3)
    x = torch.tensor([[1.0], [2.0], [-1.0]])  # [T*B], B = 1
    m0 = 1.0
    y0 = F.silu(torch.tensor(m0))
    m1 = m0 * 0.25 * (1 - y0) + 2.0
    y1 = F.silu(m1)
    m2 = m1 * 0.25 * (1 - y1) - 1.0
    torch.testing.assert_close(act(x).flatten(),
                               torch.stack([y0, y1, F.silu(m2)]))


def test_reset_factor_carries_no_gradient():
    act = MembraneSiLU(time_steps=2)
    x = torch.tensor([[1.5], [0.0]], requires_grad=True)
    act(x)[1].sum().backward()
    # y1 = silu(0.25 m0 (1 - y0)) with (1 - y0) constant
    m1 = 0.25 * 1.5 * (1 - F.silu(torch.tensor(1.5)))
    dsilu = torch.sigmoid(m1) * (1 + m1 * (1 - torch.sigmoid(m1)))
    torch.testing.assert_close(x.grad[0, 0], dsilu * 0.25 * (1 - F.silu(
        torch.tensor(1.5))))


def test_an_act_cfg_of_conv_module():
    conv = ConvModule(3, 4, 3, padding=1,
                      act_cfg=dict(type='MembraneSiLU', time_steps=2))
    out = conv(torch.randn(4, 3, 5, 5))
    assert isinstance(conv.activate, MembraneSiLU) and out.shape == (4, 4, 5,
                                                                      5)


def test_step_by_step_equals_the_folded_sequence():
    act = MembraneSiLU(time_steps=3)
    x = torch.randn(3 * 2, 4)
    folded = act(x)
    act.step_mode = 's'
    steps = [act(step) for step in x.unflatten(0, (3, 2))]
    torch.testing.assert_close(torch.cat(steps), folded, rtol=0, atol=0)
    act.reset()  # back to rest: the next step is the first one's
    torch.testing.assert_close(act(x[:2]), folded[:2], rtol=0, atol=0)


def test_sltt_cuts_the_membrane_from_the_gradient():
    from mmsnn.models.neurons.bptt_mode import BPTTMode
    x = torch.tensor([[1.5], [0.5]], requires_grad=True)
    bptt = MembraneSiLU(time_steps=2)
    out = bptt(x)
    grad, = torch.autograd.grad(out[1].sum(), x)
    assert grad[0, 0] != 0  # through m0 in BPTT
    sltt = MembraneSiLU(time_steps=2)
    sltt.bptt = BPTTMode('sltt')
    out_sltt = sltt(x)
    assert torch.equal(out_sltt, out)
    grad, = torch.autograd.grad(out_sltt[1].sum(), x)
    m1 = 0.25 * 1.5 * (1 - F.silu(torch.tensor(1.5))) + 0.5
    dsilu = torch.sigmoid(m1) * (1 + m1 * (1 - torch.sigmoid(m1)))
    torch.testing.assert_close(grad.flatten(), torch.stack(
        [torch.tensor(0.), dsilu]))
