"""No spiking state leaks between images, batches or train/eval switches:
an image's predictions do not depend on what was processed before or beside
it. Compared bitwise on CPU."""
import copy

import torch

from mmdet.registry import MODELS

from mmsnn.models.defaults import DEFAULT_NEURON_CFG
from tests.conftest import fake_batch, tiny_snn_yolov3_cfg


def active_tiny_snn():
    """The tiny SNN with a low threshold: at initialisation with Vth 1 no
    spike reaches the deep layers, and a test of state needs activity."""
    cfg = tiny_snn_yolov3_cfg()
    for part in ('backbone', 'neck', 'bbox_head'):
        cfg[part]['neuron_cfg'] = dict(DEFAULT_NEURON_CFG, v_threshold=0.2)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def flatten(outputs):
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    return [x for out in outputs for x in flatten(out)]


def raw_outputs(model, inputs):
    """Every prediction map of the head (before decoding and NMS)."""
    with torch.no_grad():
        return [x.clone() for x in flatten(model._forward(inputs))]


def predictions(model, inputs, samples):
    with torch.no_grad():
        results = model.predict(inputs, copy.deepcopy(samples))
    return [(r.pred_instances.bboxes, r.pred_instances.scores,
             r.pred_instances.labels) for r in results]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, tuple):
            assert_same(x, y)
        else:
            assert torch.equal(x, y), (x - y).abs().max()


def test_prediction_alone_in_batch_and_after_training_step():
    model = active_tiny_snn()
    model.test_cfg.score_thr = 0.  # keep boxes, so there is much to compare
    model.test_cfg.conf_thr = 0.
    model.eval()
    data = fake_batch(model, batch_size=3, seed=1)
    inputs, samples = data['inputs'], data['data_samples']
    alone = raw_outputs(model, inputs[:1])
    alone_preds = predictions(model, inputs[:1], samples[:1])
    assert len(alone_preds[0][0]) > 0
    # Not trivially equal: another image gives other outputs at every level.
    for a, b in zip(alone, raw_outputs(model, inputs[1:2])):
        assert not torch.equal(a, b)

    # Beside other images, and after them.
    batch = raw_outputs(model, inputs)
    assert_same(alone, [x[:1] for x in batch])
    assert_same(alone_preds, predictions(model, inputs, samples)[:1])
    raw_outputs(model, inputs[1:])
    assert_same(alone, raw_outputs(model, inputs[:1]))

    # After a training step on other data that cannot change weights or
    # BN statistics (lr 0, BN momentum 0): any difference would be state.
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = 0.
    def weights_and_stats():  # num_batches_tracked counts, unused here
        return [v.clone() for k, v in model.state_dict().items()
                if not k.endswith('num_batches_tracked')]

    before = weights_and_stats()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.)
    model.train()
    other = fake_batch(model, batch_size=2, seed=2)
    loss, _ = model.parse_losses(model.loss(other['inputs'],
                                            other['data_samples']))
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.parameters())  # it really trained
    optimizer.step()
    assert_same(before, weights_and_stats())
    model.eval()
    assert_same(alone, raw_outputs(model, inputs[:1]))
    assert_same(alone_preds, predictions(model, inputs[:1], samples[:1]))
