"""FiringRateHook: records every neuron, resets per run, removes hooks."""
import glob
import json
import os.path as osp
from unittest.mock import MagicMock

import pytest
import torch
from mmdet.registry import HOOKS, MODELS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger

from mmsnn.models.layers import spiking_modules
from ...conftest import fake_batch, tiny_snn_yolov3_cfg


def build_tiny_snn():
    torch.manual_seed(0)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=2)).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.normal_(m.weight, 0., 1.)
    return model


def mock_runner(model, name):
    runner = MagicMock()
    runner.model = model
    runner._train_loop = None
    runner.message_hub = MessageHub.get_instance(name)
    runner.logger = MMLogger.get_instance(name)
    return runner


def run(model, brightness):
    inputs = torch.full((1, 3, 32, 32), brightness)
    with torch.no_grad():
        model(inputs, None, mode='tensor')


def test_rates_of_every_neuron_reset_and_hook_removal():
    model = build_tiny_snn()
    runner = mock_runner(model, 'test_firing_rate_hook_val')
    hook = HOOKS.build(dict(type='FiringRateHook', log_layers=True))
    neurons = dict(spiking_modules(model))

    hook.before_val(runner)
    run(model, 1.)
    hook.after_val_epoch(runner, metrics={})
    rates, mean = hook.recorder.rates(), hook.recorder.mean_rate()
    assert set(rates) == set(neurons)
    assert all(0 <= r <= 1 for r in rates.values())
    assert 0 < mean < 1
    # The encoding layer's rate, computed independently.
    with torch.no_grad():
        encoded = model.backbone.encode(torch.ones(1, 3, 32, 32))
    assert rates['backbone.conv1.activate'] == pytest.approx(
        encoded.mean().item())
    hub = runner.message_hub
    assert hub.get_scalar('val/firing_rate/mean').current() == \
        pytest.approx(mean)
    stages = {k for k in hub.log_scalars if k.startswith('val/firing_rate/')}
    assert {'val/firing_rate/backbone.conv1', 'val/firing_rate/neck',
            'val/firing_rate/bbox_head'} <= stages
    hook.after_val(runner)
    assert not any(n._forward_hooks for n in neurons.values())

    # A second run (test) starts from zero: dark input, its own rates.
    hook.before_test(runner)
    assert all(s.calls == 0 for s in hook.recorder.stats.values())
    run(model, 0.)
    hook.after_test_epoch(runner, metrics={})
    assert hook.recorder.stats['backbone.conv1.activate'].calls == 1
    dark = hook.recorder.rates()['backbone.conv1.activate']
    with torch.no_grad():
        encoded = model.backbone.encode(torch.zeros(1, 3, 32, 32))
    assert dark == pytest.approx(encoded.mean().item())
    assert dark != pytest.approx(rates['backbone.conv1.activate'])
    runner.visualizer.add_scalars.assert_called_once()
    logged = runner.visualizer.add_scalars.call_args[0][0]
    assert logged == hook.scalars() and 'firing_rate/mean' in logged
    hook.after_test(runner)
    assert not any(n._forward_hooks for n in neurons.values())


def test_model_without_neurons_warns_and_logs_nothing():
    runner = mock_runner(torch.nn.Conv2d(1, 1, 1), 'test_firing_rate_ann')
    runner.logger = MagicMock()
    hook = HOOKS.build(dict(type='FiringRateHook'))
    hook.before_test(runner)
    hook.after_test_epoch(runner)
    hook.after_test(runner)
    runner.logger.warning.assert_called_once()
    runner.visualizer.add_scalars.assert_not_called()


class CountImages(BaseMetric):
    default_prefix = 'dummy'

    def process(self, data_batch, data_samples):
        self.results.append(len(data_samples))

    def compute_metrics(self, results):
        return dict(images=sum(results))


def test_rates_reach_the_log_of_a_real_validation_run(tmp_path):
    """Through mmengine's Runner: LoggerHook writes the rates to the JSON
    log (and hence every visualizer backend)."""
    from mmengine.runner import Runner
    model = build_tiny_snn()
    batch = fake_batch(model, batch_size=1, size=32)
    data = [dict(inputs=(batch['inputs'][0] * 255).byte(),
                 data_samples=batch['data_samples'][0]) for _ in range(2)]
    runner = Runner(
        model=model,
        work_dir=str(tmp_path),
        val_dataloader=dict(
            dataset=data, batch_size=1, collate_fn=dict(type='pseudo_collate'),
            sampler=dict(type='DefaultSampler', shuffle=False)),
        val_cfg=dict(),
        val_evaluator=[CountImages()],
        custom_hooks=[dict(type='FiringRateHook')],
        default_hooks=dict(checkpoint=None),
        default_scope='mmdet',
        experiment_name='firing_rate_hook_test')
    runner.val()
    logs = glob.glob(osp.join(str(tmp_path), '*', 'vis_data', 'scalars.json'))
    assert logs
    with open(logs[0]) as f:
        record = json.loads(f.readline())
    assert record['dummy/images'] == 2
    assert 0 < record['firing_rate/mean'] < 1
    assert 'firing_rate/backbone.conv_res_block1' in record
    assert not any(n._forward_hooks for _, n in spiking_modules(model))
