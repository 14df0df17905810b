"""Threshold balancing: each activation's BN is divided by the percentile of
its output, computed here by hand with numpy (the tool's checkpoint:
tests/test_tools/test_balance_thresholds.py)."""
import numpy as np
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.conversion import activation_norms, balance_thresholds
from tests.conftest import ann_twin, fake_batch, tiny_snn_yolov3_cfg


def tiny_ann():
    cfg = ann_twin(tiny_snn_yolov3_cfg(time_steps=1))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    # BN statistics of real inputs, so that outputs are not all ~N(0, 1)
    model.train()
    batches = [fake_batch(model, seed=s)['inputs'] for s in range(3)]
    with torch.no_grad():
        for x in batches:
            model._forward(x)
    return model.eval(), batches


def norm_outputs(model, batches):
    """{name: [C, N] numpy} of every activation norm's output, eval mode."""
    norms = activation_norms(model)
    seen = {n: [] for n in norms}
    hooks = [m.register_forward_hook(
        lambda mod, i, o, n=n: seen[n].append(
            o.transpose(0, 1).reshape(o.shape[1], -1).numpy().copy()))
        for n, m in norms.items()]
    with torch.no_grad():
        for x in batches:
            model._forward(x)
    for h in hooks:
        h.remove()
    return {n: np.concatenate(v, axis=1) for n, v in seen.items()}


def test_divisors_are_the_percentiles_and_bn_is_divided_by_them():
    model, batches = tiny_ann()
    before = norm_outputs(model, batches)
    norms = activation_norms(model)
    weights = {n: (m.weight.clone(), m.bias.clone()) for n, m in norms.items()}
    assert len(norms) > 20  # every ConvModule of backbone, neck and head

    divisors = balance_thresholds(model, batches, percentile=95.)
    assert list(divisors) == list(norms)
    for name, lam in divisors.items():
        hand = np.percentile(before[name], 95., axis=1)
        positive = hand > 0
        np.testing.assert_allclose(lam.numpy()[positive], hand[positive],
                                   rtol=1e-5)
        # a channel that hardly ever fires keeps its largest |output| (or 1)
        fallback = np.abs(before[name]).max(axis=1)
        fallback[fallback == 0] = 1
        np.testing.assert_allclose(lam.numpy()[~positive],
                                   fallback[~positive], rtol=1e-5)
        w, b = weights[name]
        torch.testing.assert_close(norms[name].weight, w / lam)
        torch.testing.assert_close(norms[name].bias, b / lam)
    # The first activation sees the image only: its percentile is now 1.
    first = next(iter(norms))
    after = norm_outputs(model, batches)[first]
    hand = np.percentile(before[first], 95., axis=1)
    np.testing.assert_allclose(
        np.percentile(after, 95., axis=1)[hand > 0], 1., rtol=1e-4)
    assert not model.training  # left as it was


def test_a_norm_without_weight_is_refused():
    model, batches = tiny_ann()
    norm = next(iter(activation_norms(model).values()))
    norm.weight = None
    with pytest.raises(ValueError, match='no affine weight'):
        balance_thresholds(model, batches)
