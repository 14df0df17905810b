"""Adding a neuron is one class plus its registration: a neuron defined
here, and nowhere else, is found by the firing-rate hook, the energy tool,
the ANN twin, Spikify, checkpointing and the resets, with no other edit."""
from unittest.mock import MagicMock

import torch
import torch.nn as nn
from mmdet.registry import HOOKS, MODELS
from mmengine.logging import MessageHub, MMLogger

from mmsnn.analysis import SpikeOpAnalyzer, build_ann_twin
from mmsnn.models.layers import spikify
from mmsnn.models.layers.checkpoint import checkpoint_call
from mmsnn.models.neurons import (BaseSpikingNeuron, register_neuron,
                                  reset_neurons, set_step_mode,
                                  spiking_modules)
from ...conftest import tiny_snn_yolov3_cfg


class _StraightThrough(torch.autograd.Function):
    """Heaviside forward, identity backward."""

    @staticmethod
    def forward(ctx, u):
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad


@register_neuron
class HalfLeakTestNeuron(BaseSpikingNeuron):
    """Halves its potential every step, fires at 1, resets to 0."""

    def neuronal_step(self, x, v):
        h = 0.5 * v + x
        spike = _StraightThrough.apply(h - 1)
        return spike, h * (1 - spike)


def tiny_model():
    cfg = tiny_snn_yolov3_cfg(time_steps=2)
    for part in ('backbone', 'neck', 'bbox_head'):
        cfg[part]['neuron_cfg'] = dict(type='HalfLeakTestNeuron')
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0., 1.)
    return model


def test_dynamics_from_the_one_method():
    neuron = HalfLeakTestNeuron(time_steps=4)
    # I = 0.6: h 0.6, 0.9, 1.05* -> 0, 0.6
    spikes = neuron(torch.full((4, 1), 0.6))
    assert spikes.flatten().tolist() == [0, 0, 1, 0]


def test_firing_rate_hook_records_it():
    model = tiny_model()
    runner = MagicMock()
    runner.model, runner._train_loop = model, None
    runner.message_hub = MessageHub.get_instance('test_new_neuron_hook')
    runner.logger = MMLogger.get_instance('test_new_neuron_hook')
    hook = HOOKS.build(dict(type='FiringRateHook'))
    hook.before_val(runner)
    with torch.no_grad():
        model(torch.rand(1, 3, 32, 32), None, mode='tensor')
    hook.after_val_epoch(runner, metrics={})
    neurons = dict(spiking_modules(model))
    assert neurons and all(
        isinstance(n, HalfLeakTestNeuron) for n in neurons.values())
    assert set(hook.recorder.rates()) == set(neurons)
    assert 0 < runner.message_hub.get_scalar(
        'val/firing_rate/mean').current() < 1
    hook.after_val(runner)


def test_energy_tool_counts_its_spikes():
    model = tiny_model()
    analyzer = SpikeOpAnalyzer(model)
    analyzer.forward(torch.rand(1, 3, 32, 32))
    report = analyzer.report()
    assert report['time_steps'] == 2
    assert 0 < report['firing_rates']['mean'] < 1
    assert report['totals']['sops'] > 0
    fed_spikes = [layer for layer in report['layers']
                  if layer['input'] == 'spikes']
    assert fed_spikes  # layers after the new neurons read binary spikes


def test_ann_twin_replaces_it():
    model = tiny_model()
    twin = build_ann_twin(model)
    assert not list(spiking_modules(twin))
    assert any(isinstance(m, nn.LeakyReLU) for m in twin.modules())
    with torch.no_grad():
        outs = twin(torch.rand(1, 3, 32, 32), None, mode='tensor')
    assert outs[0][0].shape[0] == 1  # T = 1: one image, no time axis


def test_spikify_builds_it_and_resets_and_step_mode_reach_it():
    module = spikify(dict(type='ResNet', depth=18, base_channels=4,
                          out_indices=(3, ), init_cfg=None),
                     encode=True, decode_mode='mean',
                     neuron_cfg=dict(type='HalfLeakTestNeuron'),
                     time_steps=2)
    neurons = [n for _, n in spiking_modules(module)]
    assert neurons and all(isinstance(n, HalfLeakTestNeuron)
                           for n in neurons)
    (out, ) = module(torch.rand(1, 3, 32, 32))
    assert out.shape == (1, 32, 1, 1)
    module.train()
    for step_mode, runs in (('m', 2), ('s', 1)):
        # multi-step stages are recomputed in backward; single-step neurons
        # keep state, so checkpointing leaves such stages alone
        set_step_mode(module, step_mode)
        assert all(n.step_mode == step_mode for n in neurons)
        calls = []
        x = torch.rand(2, 3, requires_grad=True)
        checkpoint_call(lambda t: calls.append(1) or t * t, x,
                        owner=module).sum().backward()
        assert len(calls) == runs
    neurons[0](torch.full((1, ), 0.5))
    assert neurons[0].v.item() == 0.5
    reset_neurons(module)
    assert neurons[0].v == 0
    assert isinstance(neurons[0], BaseSpikingNeuron)
