"""configs/mini_voc's mixed and LIF detectors build from their configs and
train a few iterations on (tiny) generated mini-VOC data."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from mmsnn.models.dense_heads import CMDRetinaHead
from mmsnn.models.detectors import SpikingDetectorMixin
from mmsnn.models.neurons import LIFNeuron, spiking_modules
from tests.conftest import repo_path
from tests.test_configs.test_mini_voc import (_build_model, _config,  # noqa
                                              tiny_data)

RETINANET = repo_path(
    'configs/mini_voc/retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py')
LIF_YOLOV3 = repo_path('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py')


def check_trains_and_predicts(cfg, iterations=3):
    model = _build_model(cfg)
    assert isinstance(model, SpikingDetectorMixin)
    assert model.time_steps == 4
    loader = Runner.build_dataloader(
        dict(cfg.train_dataloader, sampler=dict(type='DefaultSampler',
                                                shuffle=False)), seed=0)
    data = model.data_preprocessor(next(iter(loader)), True)
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    before = copy.deepcopy(model.state_dict())
    model.train()
    for _ in range(iterations):
        loss, _ = model.parse_losses(
            model.loss(data['inputs'], data['data_samples']))
        assert torch.isfinite(loss)
        optim.update_params(loss)
    # the encoding layer's weights learned (gradients crossed every neuron)
    name, weight = next(model.named_parameters())
    assert name.startswith('backbone.') and name.endswith('weight')
    assert not torch.equal(weight, before[name])
    model.eval()
    with torch.no_grad():
        results = model.predict(data['inputs'], data['data_samples'])
    assert len(results) == len(data['data_samples'])
    return model


def test_spiking_retinanet_with_cmd_head(tiny_data):  # noqa: F811
    cfg = _config(RETINANET, tiny_data)
    assert cfg.model.bbox_head.num_classes == 4
    model = check_trains_and_predicts(cfg)
    assert isinstance(model.bbox_head, CMDRetinaHead)
    assert model.bbox_head.decode_mode == 'mean'
    # spiking backbone, FPN and head towers
    for part in ('backbone', 'neck', 'bbox_head'):
        assert next(spiking_modules(getattr(model, part)), None) is not None


def test_lif_snn_yolov3(tiny_data):  # noqa: F811
    cfg = _config(LIF_YOLOV3, tiny_data)
    model = check_trains_and_predicts(cfg)
    neurons = [n for _, n in spiking_modules(model)]
    assert neurons and all(isinstance(n, LIFNeuron) for n in neurons)
    assert {(n.tau, n.decay_input) for n in neurons} == {(2.0, False)}


@pytest.mark.parametrize('config', [RETINANET, LIF_YOLOV3])
def test_time_steps_is_one_key(config, tiny_data):  # noqa: F811
    cfg = _config(config, tiny_data)
    cfg.merge_from_dict({'model.time_steps': 2})
    model = _build_model(cfg)
    assert {n.time_steps for _, n in spiking_modules(model)} == {2}
