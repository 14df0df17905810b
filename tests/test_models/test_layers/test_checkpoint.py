import copy

import pytest
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule

from mmsnn.analysis.benchmark import cpu_tensor_peak
from mmsnn.models.neurons import set_step_mode
from mmsnn.models.neurons.bptt_mode import BPTTMode
from mmsnn.models.layers.checkpoint import checkpoint_call
from mmsnn.models.neurons import spiking_modules


def spiking_stage(time_steps=2, channels=8, depth=3):
    torch.manual_seed(0)
    return nn.Sequential(*[
        ConvModule(3 if i == 0 else channels, channels, 3, padding=1,
                   norm_cfg=dict(type='BN'),
                   act_cfg=dict(type='IFNeuron', time_steps=time_steps))
        for i in range(depth)
    ])


def run(stage, x, with_cp):
    xi = x.clone().requires_grad_()
    out = checkpoint_call(stage, xi, owner=stage, enabled=with_cp)
    (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
    return out, xi.grad, [p.grad for p in stage.parameters()]


def test_exact_forward_gradients_and_bn_statistics():
    plain = spiking_stage()
    checkpointed = copy.deepcopy(plain)
    x = torch.rand(4, 3, 16, 16) * 4
    out_a, grad_a, pgrads_a = run(plain, x, False)
    out_b, grad_b, pgrads_b = run(checkpointed, x, True)
    assert torch.equal(out_a, out_b)
    torch.testing.assert_close(grad_a, grad_b)
    for a, b in zip(pgrads_a, pgrads_b):
        torch.testing.assert_close(a, b)
    assert grad_a.abs().sum() > 0
    # the recomputation did not update the running statistics again
    for a, b in zip(plain.buffers(), checkpointed.buffers()):
        assert torch.equal(a, b)
    assert checkpointed[0].bn.num_batches_tracked.item() == 1
    assert checkpointed[0].bn.momentum == plain[0].bn.momentum


def test_segments_need_less_memory():
    x = torch.rand(4, 8, 32, 32) * 4
    stages = [spiking_stage(depth=3)[1:] for _ in range(4)]  # 8 -> 8 ch

    def train_step(with_cp):
        out = x.requires_grad_()
        for stage in stages:
            out = checkpoint_call(stage, out, owner=stage, enabled=with_cp)
        out.sum().backward()

    peaks = [cpu_tensor_peak(lambda: train_step(cp)) for cp in (False, True)]
    # plain: 4 stages' activations; checkpointed: 4 stage inputs + the
    # activations of one stage at a time
    assert peaks[1] < 0.6 * peaks[0], peaks


@pytest.mark.parametrize(
    'case', ['disabled', 'eval', 'no_grad', 'single', 'sltt_k'])
def test_plain_call_when_checkpointing_cannot_help_or_is_wrong(case):
    stage = spiking_stage()
    x = torch.rand(4, 3, 8, 8, requires_grad=True)
    if case == 'eval':
        stage.eval()
    if case == 'single':  # stateful neurons would advance twice
        set_step_mode(stage, 's')
        x = x[:2]
    mode = BPTTMode('sltt', 1)
    if case == 'sltt_k':  # the draw is gone when backward would recompute
        for _, neuron in spiking_modules(stage):
            neuron.bptt = mode
    ran = []
    stage.register_forward_hook(lambda *args: ran.append(1))
    with torch.set_grad_enabled(case != 'no_grad'), mode.drawing(2, 2):
        out = checkpoint_call(stage, x, owner=stage,
                              enabled=case != 'disabled')
    if out.requires_grad:
        out.sum().backward()
    assert len(ran) == 1  # never recomputed
