import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.analysis.ann_twin import build_ann_twin
from mmsnn.models.neurons import IFNeuron
from tests.conftest import load_config, tiny_snn_yolov3_cfg


def test_twin_of_snn_yolov3_is_mmdet_yolov3():
    """Twin of the paper's SNN == mmdet's YOLOv3 with the same weights."""
    torch.manual_seed(0)
    snn = MODELS.build(
        load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py').model)
    ann = MODELS.build(load_config('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
                       .model)
    ann.load_state_dict(snn.state_dict(), strict=True)
    twin = build_ann_twin(snn)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        expected = ann.eval()._forward(x)[0]
        got = twin.eval()._forward(x)[0]
    for a, b in zip(got, expected):
        assert a.shape[0] == 2  # T = 1: one output per image
        torch.testing.assert_close(a, b)


def test_every_neuron_replaced_and_original_untouched():
    torch.manual_seed(0)
    cfg = tiny_snn_yolov3_cfg(time_steps=4)
    cfg.backbone.with_cp = True
    snn = MODELS.build(cfg)
    num_neurons = sum(isinstance(m, IFNeuron) for m in snn.modules())
    twin = build_ann_twin(snn)
    assert not any(isinstance(m, IFNeuron) for m in twin.modules())
    acts = [m for m in twin.modules() if isinstance(m, nn.LeakyReLU)]
    assert len(acts) == num_neurons and acts[0].negative_slope == 0.1
    assert {m.time_steps for m in twin.modules()
            if hasattr(m, 'time_steps')} == {1}
    assert twin.backbone.with_cp is False
    # the SNN is as it was
    assert snn.time_steps == 4 and snn.backbone.with_cp is True
    assert sum(isinstance(m, IFNeuron) for m in snn.modules()) == num_neurons


def test_shared_neuron_becomes_shared_activation():
    neuron = IFNeuron()
    model = nn.Sequential(nn.Conv2d(1, 1, 1), neuron, nn.Conv2d(1, 1, 1),
                          neuron)
    twin = build_ann_twin(model, act_cfg=dict(type='ReLU'))
    assert isinstance(twin[1], nn.ReLU) and twin[1] is twin[3]


def test_not_a_spiking_model():
    with pytest.raises(ValueError, match='no spiking neuron'):
        build_ann_twin(nn.Sequential(nn.Conv2d(1, 1, 1), nn.ReLU()))


def test_the_twin_of_an_sltt_k_snn_trains_by_bptt():
    from tests.conftest import fake_batch
    torch.manual_seed(0)
    snn = MODELS.build(dict(tiny_snn_yolov3_cfg(time_steps=4),
                            bptt=dict(mode='sltt', k=2)))
    twin = build_ann_twin(snn)
    assert twin.bptt.to_dict() == dict(mode='full', k=None)
    assert not any('forward' in m.__dict__ for m in twin.modules())
    assert snn.bptt.to_dict() == dict(mode='sltt', k=2)  # untouched
    batch = fake_batch(twin, batch_size=4, size=32)
    loss, _ = twin.parse_losses(twin.loss(batch['inputs'],
                                          batch['data_samples']))
    loss.backward()  # at T = 1, where k = 2 would not fit
    assert torch.isfinite(loss)
