"""Spiking-YOLO conversion: signed IF neuron, channel-wise normalisation,
and the converted detector approaching its ANN as T grows."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS

from mmsnn.conversion import (ChannelPercentileRecorder, SignedIFNeuron,
                              SpikingYOLO, channel_percentile)
from mmsnn.utils import InputError
from tests.conftest import fake_batch, tiny_snn_yolov3_cfg

LEAKY = dict(type='LeakyReLU', negative_slope=0.1)


def test_signed_neuron_rate_is_leaky_relu():
    lam = torch.tensor([2.0, 0.5])
    neuron = SignedIFNeuron(2, negative_slope=0.1)
    neuron.threshold.copy_(lam)
    # inputs within the representable range [-lam / alpha, lam]
    x = torch.stack([torch.linspace(-19, 2, 50), torch.linspace(-4.9, .5, 50)],
                    dim=0).T.reshape(50, 2, 1, 1)
    T = 2000
    total = sum(neuron(x) for _ in range(T))
    rate = total / T
    expected = F.leaky_relu(x, 0.1)
    torch.testing.assert_close(rate, expected, atol=0.02, rtol=0)
    neg = x < -0.5
    torch.testing.assert_close((rate[neg] / x[neg]),
                               torch.full_like(x[neg], 0.1), atol=0.01, rtol=0)
    # outputs are signed spikes of height lambda
    neuron.reset()
    out = neuron(x)
    heights = (out.abs() / lam.view(1, 2, 1, 1))
    assert set(heights.unique().tolist()) <= {0.0, 1.0}
    # beyond lambda it saturates (one spike per step), like a clipped ReLU
    neuron.reset()
    big = torch.full((1, 2, 1, 1), 10.)
    assert torch.equal(sum(neuron(big) for _ in range(10)) / 10,
                       lam.view(1, 2, 1, 1))


def test_relu_neuron_never_fires_negative():
    neuron = SignedIFNeuron(1, negative_slope=0.)
    out = sum(neuron(torch.full((1, 1), -3.)) for _ in range(50))
    assert float(out) == 0


def test_channel_factors_equal_the_percentile():
    # channel c holds the values c+1, 2(c+1), ..., 1000(c+1) (shuffled over
    # batch and positions): its 99.9th percentile is numpy's
    values = torch.arange(1, 1001, dtype=torch.float32)
    x = torch.stack([values[torch.randperm(1000)] * (c + 1)
                     for c in range(3)], 0).T.reshape(10, 10, 10, 3)
    x = x.permute(0, 3, 1, 2)  # [B=10, C=3, 10, 10]
    probe = nn.Identity()
    rec = ChannelPercentileRecorder({'probe': probe})
    with rec:
        probe(x[:4])
        probe(x[4:])
    got = rec.percentiles(99.9)['probe']
    expected = [np.percentile(np.arange(1, 1001) * (c + 1), 99.9)
                for c in range(3)]
    torch.testing.assert_close(got,
                               torch.tensor(expected, dtype=torch.float32))
    assert float(channel_percentile(torch.tensor([[1., 2., 3.]]), 50)) == 2.


def tiny_ann_twin(seed=0):
    cfg = tiny_snn_yolov3_cfg(time_steps=1)
    cfg.backbone.neuron_cfg = cfg.neck.neuron_cfg = LEAKY
    cfg.bbox_head.neuron_cfg = LEAKY
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    with torch.no_grad():  # lively BN statistics, so signals reach the head
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.8, 1.5)
                m.bias.uniform_(-0.2, 0.4)
    return model.eval()


def test_calibration_sets_each_threshold_to_its_channel_percentile():
    ann = tiny_ann_twin()
    images = fake_batch(ann, batch_size=2, size=64)['inputs']
    probe = ann.neck.detect1.conv2
    seen = []
    handle = probe.activate.register_forward_hook(
        lambda m, i, o: seen.append(o.detach()))
    with torch.no_grad():
        ann._forward(images)
    handle.remove()
    act = seen[0].transpose(0, 1).reshape(seen[0].shape[1], -1).numpy()
    snn = SpikingYOLO(ann, time_steps=4, percentile=99.0)
    snn.calibrate([images])
    threshold = snn.ann.neck.detect1.conv2.activate.threshold
    expected = torch.tensor(np.percentile(act, 99.0, axis=1),
                            dtype=torch.float32)
    positive = expected > 0
    assert positive.any()
    torch.testing.assert_close(threshold[positive], expected[positive])
    assert isinstance(snn.ann.neck.detect1.conv2.activate, SignedIFNeuron)


def test_converted_output_approaches_the_ann_as_t_grows():
    ann = tiny_ann_twin()
    images = fake_batch(ann, batch_size=1, size=32)['inputs']
    with torch.no_grad():
        expected = [m.clone() for m in ann._forward(images)[0]]
    snn = SpikingYOLO(ann, time_steps=8, percentile=100.0)
    snn.calibrate([images])
    by_t = snn.simulate(images, record_steps=(8, 256))

    def error(t):
        return sum(float((a - e).abs().mean())
                   for a, e in zip(by_t[t], expected)) / sum(
                       float(e.abs().mean()) for e in expected)

    # measured here: 0.77 at T=8, 0.098 at T=256 (0.090 at 512: what stays
    # is the saturation of the range [-lambda / alpha, lambda])
    assert error(256) < 0.25 * error(8), [error(t) for t in (8, 256)]
    # stateful, step by step: a second simulation starts from rest
    again = snn.simulate(images, record_steps=(8, ))[8]
    for a, b in zip(again, by_t[8]):
        torch.testing.assert_close(a, b)


def test_converted_detector_predicts_and_refuses_before_calibration():
    ann = tiny_ann_twin()
    data = fake_batch(ann, batch_size=2, size=64)
    snn = SpikingYOLO(ann, time_steps=4, count_ops=True).eval()
    with pytest.raises(InputError, match='not calibrated'):
        snn.predict(data['inputs'], data['data_samples'])
    snn.calibrate([data['inputs']])
    results = snn.predict(data['inputs'], data['data_samples'])
    assert len(results) == 2 and results[0].pred_instances.bboxes.shape[1] == 4
    ops = snn.op_counter.per_image()
    assert ops['time_steps'] == 4
    assert ops['macs_per_step'] > ops['real_macs'] > 0
    assert 0 < ops['sops'] < ops['macs_per_step'] * 4
    with pytest.raises(InputError, match='inference'):
        snn.loss(data['inputs'], data['data_samples'])
    # the converted state (thresholds, calibrated flag) round-trips
    again = SpikingYOLO(tiny_ann_twin(), time_steps=4)
    again.load_state_dict(snn.state_dict(), strict=True)
    assert bool(again.calibrated)
