"""SpikeYOLO in mmsnn against the authors' model: parameter counts of the
four scales, outputs on the same weights, T and D owned by the detector,
spike-driven inference equal to the integer network, a training step."""
import copy

import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.conversion import convert_spikeyolo_state_dict
from mmsnn.models.backbones import SPIKEYOLO_SCALES
from mmsnn.models.neurons import ILIFNeuron
from ...conftest import fake_batch
from .spikeyolo_reference import (SpikeYOLOReference, mmsnn_cfg,
                                  randomize_norms, reference)

#: Parameters of BICLab/SpikeYOLO's DetectionModel (commit 309ef5e) built by
#: their own code on CPU from snn_yolov8.yaml at 80 classes, layer 25 as
#: the yaml's comments say (MS_ConvBlock [2, 7] for m and l); their README
#: rounds them to 13.2M, 23.1M, 48M, 69M.
AUTHORS_PARAMS = dict(n=13_271_632, s=23_153_024, m=47_841_856,
                      l=68_478_400)


def scale_cfg(scale, num_classes=80):
    depth, width, max_channels = SPIKEYOLO_SCALES[scale]
    return mmsnn_cfg(depth, width, max_channels,
                     last_ratio=2 if scale in 'ml' else 1,
                     num_classes=num_classes, time_steps=1)


def count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('scale', 'nsml')
def test_parameters_equal_the_authors_per_scale(scale):
    with torch.device('meta'):  # shapes only: no memory, no init
        ours = MODELS.build(scale_cfg(scale))
        theirs = reference(scale)
    assert count(ours) == count(theirs) == AUTHORS_PARAMS[scale]


def tiny_pair(time_steps=2, seed=0):
    """The reference at a tiny scale and mmsnn's model with its weights."""
    torch.manual_seed(seed)
    theirs = randomize_norms(SpikeYOLOReference(
        0.33, 0.125, 1024, nc=3, time_steps=time_steps))
    ours = MODELS.build(mmsnn_cfg(time_steps=time_steps))
    ours.load_state_dict(convert_spikeyolo_state_dict(
        theirs.state_dict(), ours.state_dict()), strict=True)
    return theirs, ours


def raw_outputs(model, images):
    cls_scores, bbox_dists = model._forward(images)
    return [torch.cat(pair, 1) for pair in zip(bbox_dists, cls_scores)]


@pytest.mark.parametrize('training', [False, True])
@pytest.mark.parametrize('time_steps', [1, 2])
def test_same_weights_give_the_authors_outputs(time_steps, training):
    theirs, ours = tiny_pair(time_steps)
    theirs.train(training)
    ours.train(training)
    images = torch.rand(2, 3, 64, 96,
                        generator=torch.Generator().manual_seed(2)) * 2 - .5
    expected = theirs(images)
    got = raw_outputs(ours, images)
    assert [g.shape for g in got] == [(2, 64 + 3, 8, 12), (2, 67, 4, 6),
                                      (2, 67, 2, 3)]
    for g, e in zip(got, expected):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-5)
    # the neurons did fire, with integer counts above 1
    spikes = ours.backbone.stage3[1].lif1(torch.randn(2 * time_steps, 4))
    assert spikes.max() <= 4
    if training:  # BN statistics moved alike
        torch.testing.assert_close(
            ours.neck.out_p5.bn2.running_mean,
            theirs.model[25].bn2.running_mean)


def test_detector_owns_time_steps_and_spike_count():
    model = MODELS.build(mmsnn_cfg(time_steps=3))
    neurons = [m for m in model.modules() if isinstance(m, ILIFNeuron)]
    assert neurons and {n.time_steps for n in neurons} == {3}
    assert {n.max_spike_count for n in neurons} == {4}
    model.time_steps, model.max_spike_count = 1, 2
    assert {(n.time_steps, n.max_spike_count) for n in neurons} == {(1, 2)}
    with pytest.raises(ValueError, match='max_spike_count'):
        model.max_spike_count = 0


@pytest.mark.parametrize('time_steps', [1, 2])
def test_spike_driven_detector_gives_the_integer_outputs(time_steps):
    _, model = tiny_pair(time_steps)
    model.eval()
    images = torch.rand(1, 3, 64, 64,
                        generator=torch.Generator().manual_seed(3)) * 2 - .5
    with torch.no_grad():
        integer = raw_outputs(model, images)
        with pytest.raises(RuntimeError, match='reparameterize'):
            model.spike_driven = True
        assert model.reparameterize() > 0
        torch.testing.assert_close(raw_outputs(model, images), integer,
                                   rtol=1e-4, atol=1e-4)
        model.spike_driven = True
        binary = copy.deepcopy(model)
        seen = []
        for m in binary.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.register_forward_pre_hook(
                    lambda mod, args: seen.append(args[0]))
        got = raw_outputs(binary, images)
    torch.testing.assert_close(got, integer, rtol=1e-4, atol=1e-4)
    fed = [x for x in seen if x.shape[0] == time_steps * 4]
    assert fed and all(torch.equal(x, (x > 0).float()) for x in fed)
    assert len(fed) == len(seen) - 1  # all but the stem (fed the image)


def test_trains_and_predicts():
    torch.manual_seed(0)
    model = MODELS.build(mmsnn_cfg(time_steps=2))
    model.init_weights()
    batch = fake_batch(model, batch_size=2, size=64)
    losses = model(**batch, mode='loss')
    assert set(losses) == {'loss_cls', 'loss_bbox', 'loss_dfl'}
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert torch.isfinite(loss) and losses['loss_bbox'] > 0
    assert model.backbone.stem.encode_conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model(**batch, mode='predict')
    assert len(results) == 2 and results[0].pred_instances.bboxes.shape[1] == 4


def test_per_step_path_equals_the_folded_path():
    _, model = tiny_pair(time_steps=2)
    model.eval()
    images = torch.rand(1, 3, 64, 64) * 2 - .5
    with torch.no_grad():
        folded = model._forward(images)
        per_step = model.forward_per_step(images)
    torch.testing.assert_close(per_step, folded, rtol=1e-5, atol=1e-5)
