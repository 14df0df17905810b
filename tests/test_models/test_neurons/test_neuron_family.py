"""What every neuron of the family does: the time-folded protocol, state
isolation, T mismatch errors, act_cfg in ConvModule and SNN-YOLOv3, and
Spikify on a stock mmdet module."""
import pytest
import torch
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS

from mmsnn.models.layers import spikify
from mmsnn.models.neurons import BaseSpikingNeuron, spiking_modules
from ...conftest import fake_batch, tiny_snn_yolov3_cfg

NEURON_CFGS = [
    dict(type='IFNeuron'),
    dict(type='IFNeuron', reset_mode='hard', backend='autograd'),
    dict(type='LIFNeuron', tau=2.0),
    dict(type='LIFNeuron', tau=4 / 3, decay_input=False, reset_mode='hard'),
    dict(type='ParametricLIFNeuron', init_tau=2.0),
    dict(type='SpikingJellyNeuron', node='LIFNode', tau=2.0),
    dict(type='SpikingJellyNeuron', node='ILIFNode'),
    dict(type='STBPLIFNeuron'),
    dict(type='ILIFNeuron', max_spike_count=4),
]
IDS = [f"{c['type']}-{c.get('node', c.get('reset_mode', 'soft'))}"
       for c in NEURON_CFGS]


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_registered_in_both_registries(cfg):
    for registry in (MODELS, MMENGINE_MODELS):
        assert isinstance(registry.build(dict(cfg)), BaseSpikingNeuron)


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_calls_start_from_rest_and_single_steps_carry_state(cfg):
    torch.manual_seed(0)
    neuron = MODELS.build(dict(cfg, time_steps=3))
    x = torch.rand(3 * 2, 4) * 2
    first = neuron(x)
    assert first.shape == x.shape
    assert torch.equal(neuron(x), first)  # nothing carried over
    # the per-step path gives the folded path's output, then resets
    neuron.step_mode = 's'
    steps = torch.cat([neuron(x[2 * t:2 * t + 2]) for t in range(3)])
    torch.testing.assert_close(steps, first)
    neuron.reset()
    torch.testing.assert_close(neuron(x[:2]), first[:2])


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_time_steps_mismatch_is_an_error(cfg):
    neuron = MODELS.build(dict(cfg, time_steps=4))
    with pytest.raises(ValueError, match='T=4'):
        neuron(torch.zeros(6, 2))


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_act_cfg_in_conv_module_ignores_inplace(cfg):
    conv = ConvModule(3, 4, 3, padding=1, act_cfg=dict(cfg, time_steps=2))
    assert isinstance(conv.activate, BaseSpikingNeuron)
    out = conv(torch.randn(2 * 2, 3, 8, 8))
    assert out.shape == (4, 4, 8, 8)
    assert out.min() >= 0 and torch.equal(out, out.round())


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_act_cfg_of_snn_yolov3_trains_and_predicts(cfg):
    torch.manual_seed(0)
    model_cfg = tiny_snn_yolov3_cfg(time_steps=2)
    for part in ('backbone', 'neck', 'bbox_head'):
        model_cfg[part]['neuron_cfg'] = dict(cfg)
    model = MODELS.build(model_cfg)
    types = {type(m) for _, m in spiking_modules(model)}
    assert types == {type(MODELS.build(dict(cfg)))}
    batch = fake_batch(model, batch_size=1, size=32)
    losses = model(**batch, mode='loss')
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert torch.isfinite(loss)
    # gradients cross the neurons down to the encoding layer
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model(**batch, mode='predict')
    assert len(results) == 1


@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_spikify_a_stock_mmdet_module(cfg):
    torch.manual_seed(0)
    module = spikify(dict(type='ResNet', depth=18, base_channels=4,
                          out_indices=(3, ), init_cfg=None),
                     encode=True, decode_mode='mean', neuron_cfg=dict(cfg),
                     time_steps=2)
    neurons = [n for _, n in spiking_modules(module)]
    assert neurons and all(
        type(n) is type(neurons[0]) for n in neurons)
    assert not any(isinstance(m, torch.nn.ReLU) for m in module.modules())
    (out, ) = module(torch.randn(1, 3, 32, 32))
    assert out.shape == (1, 32, 1, 1)


# -- training modes (model.bptt): every neuron, through the base class ----
def per_step_reference(neuron, x, draw_steps):
    """The neuron's one-step dynamics over T, the potential detached before
    every step; steps outside ``draw_steps`` computed without a graph."""
    spikes, v = [], neuron.initial_state()
    for t, x_t in enumerate(x.unbind(0)):
        v = neuron.detach_state(v)
        with torch.set_grad_enabled(t in draw_steps):
            spike, v = neuron.neuronal_step(x_t, v)
        spikes.append(spike)
    return torch.stack(spikes)


@pytest.mark.parametrize('k', [None, 2])
@pytest.mark.parametrize('cfg', NEURON_CFGS + [
    dict(type='IFNeuron', backend='compiled'),
    dict(type='ParametricLIFNeuron', backend='autograd',
         learnable_threshold=True)
], ids=IDS + ['IFNeuron-compiled', 'PLIF-autograd'])
def test_sltt_keeps_the_forward_and_cuts_the_potential(cfg, k):
    from mmsnn.models.neurons.bptt_mode import BPTTMode
    if cfg.get('backend') == 'compiled':
        pytest.importorskip('torch._inductor')
    T, B = 4, 3
    torch.manual_seed(0)
    neuron = MODELS.build(dict(cfg, time_steps=T))
    x = (torch.rand(T, B, 5) * 2).requires_grad_()
    weight = torch.randn(T, B, 5)
    params = [x] + list(neuron.parameters())

    def grads(spikes):
        return torch.autograd.grad((spikes * weight).sum(), params)

    bptt = neuron(x.flatten(0, 1)).view_as(x)
    neuron.bptt = mode = BPTTMode('sltt', k)
    with mode.drawing(T, B) as draw:
        spikes = neuron(x.flatten(0, 1)).view_as(x)
    steps = range(T) if draw is None else draw.steps
    assert torch.equal(spikes, bptt)  # the forward, bit for bit
    with torch.no_grad():
        assert torch.equal(neuron(x.flatten(0, 1)).view_as(x), bptt)
    ref = per_step_reference(neuron, x, steps)
    assert torch.equal(ref, bptt)
    got, want = grads(spikes), grads(ref)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert got[0].abs().sum() > 0
    if cfg.get('backend') == 'compiled':
        from mmsnn.models.neurons.multistep import _Kernels
        assert _Kernels.compile_failed is None, _Kernels.compile_failed
    if draw is not None:
        others = [t for t in range(T) if t not in draw.steps]
        assert got[0][others].abs().sum() == 0
    # single-step mode detaches the potential as well
    neuron.step_mode = 's'
    neuron.reset()
    steps_out = torch.stack([neuron(x_t) for x_t in x.unbind(0)])
    neuron.reset()
    for a, b in zip(grads(steps_out), grads(per_step_reference(
            neuron, x, range(T)))):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('bptt', [dict(mode='sltt'), dict(mode='sltt', k=1)],
                         ids=['sltt', 'sltt-k1'])
@pytest.mark.parametrize('cfg', NEURON_CFGS, ids=IDS)
def test_every_neuron_trains_snn_yolov3_in_each_mode(cfg, bptt):
    model_cfg = tiny_snn_yolov3_cfg(time_steps=2)
    for part in ('backbone', 'neck', 'bbox_head'):
        model_cfg[part]['neuron_cfg'] = dict(cfg)
    losses = []
    for mode in (None, bptt):
        torch.manual_seed(0)
        model = MODELS.build(dict(model_cfg, bptt=mode))
        batch = fake_batch(model, batch_size=1, size=32)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        loss.backward()
        losses.append(loss)
        assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    assert torch.equal(*losses)
