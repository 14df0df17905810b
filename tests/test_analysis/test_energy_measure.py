"""mmsnn.analysis.energy_measure: a detector's operations and energy on
images, and the report's files."""
import json
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.analysis import EnergyReport
from mmsnn.analysis.energy_images import energy_images
from mmsnn.analysis.energy_measure import measure_energy, write_energy_files
from mmsnn.engine.tool_config import load_tool_config
from tests.tiny_voc import tiny_config_text, write_tiny_voc


def is_png(path):
    with open(path, 'rb') as f:
        return f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_real_images_of_a_model_whose_encoder_alone_fires(tmp_path):
    data = write_tiny_voc(osp.join(str(tmp_path), 'data'), num_train=1,
                          num_test=2, size=48)
    config = osp.join(str(tmp_path), 'tiny.py')
    with open(config, 'w') as f:
        f.write(tiny_config_text(data).replace('img_scale = (64, 64)',
                                               'img_scale = (32, 32)'))
    cfg = load_tool_config(config)
    model = MODELS.build(cfg.model)
    # An encoder that fires and other convs too weak to (not zero:
    # spikingjelly would take all-zero weights for binary).
    model.load_state_dict({
        k: torch.full_like(v, 0.5) if k == 'backbone.conv1.conv.weight' else
        torch.full_like(v, 1e-3) if k.endswith('conv.weight') else v
        for k, v in model.state_dict().items()
    })
    batches, source, _ = energy_images(cfg, 5)
    report = measure_energy(model, batches, source['images'], e_mac=2e-12,
                            efficiency=100e9)
    assert report.num_images == 2 and report.time_steps == 2
    assert report.images == dict(input_shapes=[[32, 32]])
    assert report.constants['e_mac_j'] == pytest.approx(2e-12)
    assert report.chip.efficiency_flops_per_w == pytest.approx(100e9)
    table1 = report.paper_table1['SNN-YOLOv3']
    assert table1['efficiency_reproducing_energy_gflops_per_w'] == \
        pytest.approx(400, rel=2e-3)
    layers = {layer.name: layer for layer in report.layers}
    assert layers['backbone.conv1.conv'].input == 'real-valued'
    # conv_res_block1's conv is fed by the encoder: spikes, so SOPs > 0 ...
    assert layers['backbone.conv_res_block1.conv.conv'].sops > 0
    # ... and every later neuron is silent (the weak weights).
    rates = report.firing_rates.layers
    assert rates['backbone.conv1.activate'] > 0
    assert all(rate == 0 for name, rate in rates.items()
               if name != 'backbone.conv1.activate')

    out = osp.join(str(tmp_path), 'out')
    assert write_energy_files(report, out) == [
        'energy.json', 'energy.png', 'firing_rates.png']
    assert EnergyReport.load(osp.join(out, 'energy.json')) == report
    with open(osp.join(out, 'energy.json')) as f:
        assert json.load(f)['totals'] == pytest.approx(
            report.to_dict()['totals'])
    assert is_png(osp.join(out, 'energy.png'))
    assert is_png(osp.join(out, 'firing_rates.png'))
