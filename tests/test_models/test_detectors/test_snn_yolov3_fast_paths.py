"""Every fast path of SNN-YOLOv3 computes what its reference computes.

Folded time vs T single-step passes, encoder once vs T times, activation
checkpointing on vs off: same losses, same gradients (and the same BN
statistics). Forward equality of folded vs per-step is in
test_snn_yolov3.py; fused vs autograd neurons in test_if_neuron.py.
"""
import copy

import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.analysis.benchmark import per_step_loss
from tests.conftest import fake_batch, tiny_snn_yolov3_cfg


def build(time_steps=3, **backbone):
    torch.manual_seed(0)
    cfg = tiny_snn_yolov3_cfg(time_steps=time_steps)
    cfg.backbone.update(backbone)
    return MODELS.build(cfg)


def loss_and_grads(model, data, per_step=False):
    model.zero_grad()
    losses = per_step_loss(model, data['inputs'], data['data_samples']) \
        if per_step else model.loss(data['inputs'], data['data_samples'])
    loss = model.parse_losses(losses)[0]
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()
             if p.grad is not None}
    return loss.detach(), grads


def assert_same(result_a, result_b, **tol):
    (loss_a, grads_a), (loss_b, grads_b) = result_a, result_b
    torch.testing.assert_close(loss_a, loss_b, **tol)
    assert grads_a.keys() == grads_b.keys() and len(grads_a) > 10
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name], **tol,
                                   msg=lambda m: f'{name}: {m}')
    # the encoder is reached, so every layer is compared
    assert grads_a['backbone.conv1.conv.weight'].abs().sum() > 0


def test_folded_gradients_equal_per_step_gradients():
    # eval mode: BN normalises with running statistics on both paths (in
    # training it would see T*B images at once vs B per step)
    model = build().eval()
    data = fake_batch(model)
    assert_same(loss_and_grads(model, data),
                loss_and_grads(model, data, per_step=True),
                rtol=1e-4, atol=1e-6)


def test_encoder_once_gradients_equal_t_times():
    once = build()
    t_times = build(encode_once=False)
    t_times.load_state_dict(once.state_dict())
    data = fake_batch(once)
    assert_same(loss_and_grads(once, data), loss_and_grads(t_times, data))
    for (name, a), b in zip(once.named_buffers(), t_times.buffers()):
        # the encoder's BN sees T identical copies: the same batch mean and
        # biased variance, but running_var's n/(n-1) correction differs
        torch.testing.assert_close(a, b, rtol=1e-3, atol=0,
                                   msg=lambda m: f'{name}: {m}')


@pytest.mark.parametrize('per_step', [False, True])
def test_checkpointing_changes_nothing_but_memory(per_step):
    plain = build()
    checkpointed = copy.deepcopy(plain)
    checkpointed.backbone.with_cp = checkpointed.neck.with_cp = True
    data = fake_batch(plain)
    # per_step: stateful neurons, where checkpoint_call must not recompute
    assert_same(loss_and_grads(plain, data, per_step),
                loss_and_grads(checkpointed, data, per_step))
    for (name, a), b in zip(plain.named_buffers(), checkpointed.buffers()):
        assert torch.equal(a, b), name  # BN statistics updated once
