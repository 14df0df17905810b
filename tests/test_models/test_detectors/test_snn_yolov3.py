import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.models.neurons import IFNeuron
from tests.conftest import fake_batch, load_config, tiny_snn_yolov3_cfg


def predict_boxes(model, data):
    model.eval()
    with torch.no_grad():
        results = model.predict(data['inputs'], data['data_samples'])
    return [(r.pred_instances.bboxes, r.pred_instances.scores)
            for r in results]


def test_time_steps_set_in_one_place(tiny_snn):
    assert tiny_snn.time_steps == 2
    neurons = [m for m in tiny_snn.modules() if isinstance(m, IFNeuron)]
    assert neurons and {n.time_steps for n in neurons} == {2}
    tiny_snn.time_steps = 5
    assert {m.time_steps for m in tiny_snn.modules()
            if hasattr(m, 'time_steps')} == {5}
    with pytest.raises(ValueError, match='time_steps'):
        tiny_snn.time_steps = 0


def test_cfg_options_key_changes_t_everywhere():
    cfg = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    cfg.merge_from_dict({'model.time_steps': 4})
    cfg.model.backbone.update(widen_factor=1 / 32)
    model = MODELS.build(cfg.model)
    assert {m.time_steps for m in model.modules()
            if hasattr(m, 'time_steps')} == {4}


def test_ann_yolov3_state_dict_loads_strictly():
    cfg = load_config('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
    ann = MODELS.build(cfg.model)
    snn = MODELS.build(
        load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py').model)
    snn.load_state_dict(ann.state_dict(), strict=True)
    for key, value in ann.state_dict().items():
        assert torch.equal(snn.state_dict()[key], value)


def test_loss_backward_reaches_encoder(tiny_snn):
    data = fake_batch(tiny_snn)
    losses = tiny_snn.loss(data['inputs'], data['data_samples'])
    total = tiny_snn.parse_losses(losses)[0]
    assert torch.isfinite(total)
    total.backward()
    grad = tiny_snn.backbone.conv1.conv.weight.grad
    assert grad is not None and grad.abs().sum() > 0


def test_same_image_alone_or_in_batch_or_twice(tiny_snn):
    data = fake_batch(tiny_snn, batch_size=3)
    batch = predict_boxes(tiny_snn, data)
    again = predict_boxes(tiny_snn, data)
    alone = predict_boxes(tiny_snn, dict(
        inputs=data['inputs'][1:2], data_samples=data['data_samples'][1:2]))
    for (b1, s1), (b2, s2) in zip(batch, again):
        assert torch.equal(b1, b2) and torch.equal(s1, s2)
    torch.testing.assert_close(batch[1][0], alone[0][0])
    torch.testing.assert_close(batch[1][1], alone[0][1])
    assert len(alone[0][1]) > 0


@pytest.mark.parametrize('decode_mode', ['mean', 'sum', 'rate'])
def test_folded_path_equals_per_step_reference(decode_mode):
    torch.manual_seed(0)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=3,
                                             decode_mode=decode_mode)).eval()
    inputs = fake_batch(model)['inputs']
    with torch.no_grad():
        folded = model._forward(inputs)[0]
        per_step = model.forward_per_step(inputs)[0]  # as _forward's
    for a, b in zip(folded, per_step):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    # and the reference path leaves the model as it found it
    assert model.time_steps == 3
    assert all(m.step_mode == 'm' for m in model.modules()
               if isinstance(m, IFNeuron))


def test_state_reset_at_every_forward_path(tiny_snn):
    data = fake_batch(tiny_snn)
    tiny_snn.eval()
    neuron = tiny_snn.backbone.conv1.activate
    seen = []
    handle = neuron.register_forward_pre_hook(
        lambda m, args: seen.append(float(torch.as_tensor(m.v).sum())))
    for path in ('loss', 'predict', '_forward'):
        neuron.v = torch.full((1, ), 123.)  # stale state left from elsewhere
        args = (data['inputs'], data['data_samples'])
        with torch.no_grad():
            getattr(tiny_snn, path)(*(args[:1] if path == '_forward' else
                                      args))
        assert seen.pop() == 0.0, path
    handle.remove()
