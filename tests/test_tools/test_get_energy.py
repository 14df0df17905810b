"""tools/analysis_tools/get_energy.py end to end on a narrow model."""
import importlib.util
import json
import os.path as osp

import pytest
import torch

from ..conftest import repo_path
from ..tiny_voc import tiny_config_text, write_tiny_voc


def load_tool(name):
    path = repo_path('tools', 'analysis_tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def get_energy():
    return load_tool('get_energy')


def tiny_config(tmp_path, data_root):
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:
        f.write(tiny_config_text(data_root).replace(
            'img_scale = (64, 64)', 'img_scale = (32, 32)'))
    return path


def is_png(path):
    with open(path, 'rb') as f:
        return f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_synthetic_images_when_the_test_set_is_absent(get_energy, tmp_path,
                                                      capsys):
    cfg = tiny_config(tmp_path, osp.join(str(tmp_path), 'no_such_data', ''))
    out = osp.join(str(tmp_path), 'out')
    report = get_energy.main([
        cfg, '--num-images', '2', '--shape', '32', '64', '--out-dir', out,
        '--e-mac', '2', '--efficiency', '100'
    ])
    # energy.json is the typed report, read back unchanged
    from mmsnn.analysis import EnergyReport
    assert EnergyReport.load(osp.join(out, 'energy.json')) == report
    report = report.to_dict()
    printed = capsys.readouterr().out
    assert 'SYNTHETIC' in printed and 'No checkpoint' in printed
    assert 'backbone.conv1.conv' in printed and 'real-valued' in printed
    with open(osp.join(out, 'energy.json')) as f:
        saved = json.load(f)
    assert saved['images']['kind'] == 'synthetic'
    assert saved['images']['images'] == 2
    assert saved['images']['input_shapes'] == [[32, 64]]
    assert saved['time_steps'] == 2 and saved['num_images'] == 2
    assert saved['constants']['e_mac_j'] == pytest.approx(2e-12)
    assert saved['chip']['efficiency_flops_per_w'] == pytest.approx(100e9)
    assert saved['totals'] == pytest.approx(report['totals'])
    table1 = saved['paper_table1']['SNN-YOLOv3']
    assert table1['efficiency_reproducing_energy_gflops_per_w'] == \
        pytest.approx(400, rel=2e-3)
    assert is_png(osp.join(out, 'energy.png'))
    assert is_png(osp.join(out, 'firing_rates.png'))


def test_synthetic_images_take_the_test_pipelines_size(get_energy,
                                                       tmp_path, capsys):
    """Without --shape, noise images have the test pipeline's Resize scale
    ((w, h) = (64, 32) here), not 416x416, and the output says so."""
    cfg = tiny_config(tmp_path, osp.join(str(tmp_path), 'no_such_data', ''))
    with open(cfg) as f:
        text = f.read().replace('img_scale = (32, 32)',
                                'img_scale = (64, 32)')
    with open(cfg, 'w') as f:
        f.write(text)
    report = get_energy.main([
        cfg, '--num-images', '1', '--out-dir', osp.join(str(tmp_path), 'o')
    ]).to_dict()
    printed = capsys.readouterr().out
    assert "SYNTHETIC uniform-noise images of 32x64 (the test pipeline's " \
        'Resize scale; --shape H W to change)' in printed
    assert report['images']['input_shapes'] == [[32, 64]]
    assert report['images']['shape_from'] == "the test pipeline's Resize " \
        'scale'


def test_real_test_images_and_checkpoint(get_energy, tmp_path, capsys):
    data = write_tiny_voc(osp.join(str(tmp_path), 'data'), num_train=1,
                          num_test=2, size=48)
    cfg = tiny_config(tmp_path, data)
    # A checkpoint whose encoder fires and whose other convs are too weak
    # to (not zero: spikingjelly would take all-zero weights for binary).
    from mmdet.registry import MODELS
    from mmengine.config import Config
    model = MODELS.build(Config.fromfile(cfg).model)
    state = {
        k: torch.full_like(v, 0.5) if k == 'backbone.conv1.conv.weight' else
        torch.full_like(v, 1e-3) if k.endswith('conv.weight') else v
        for k, v in model.state_dict().items()
    }
    ckpt = osp.join(str(tmp_path), 'silent.pth')
    torch.save(dict(state_dict=state), ckpt)
    out = osp.join(str(tmp_path), 'out')
    report = get_energy.main(
        [cfg, ckpt, '--num-images', '5', '--out-dir', out]).to_dict()
    printed = capsys.readouterr().out
    assert 'SYNTHETIC' not in printed and 'from the test set' in printed
    assert report['images']['kind'] == 'test set'
    assert report['images']['images'] == 2  # all there are
    assert report['images']['input_shapes'] == [[32, 32]]  # the pipeline's
    assert report['checkpoint'] == ckpt
    layers = {layer['name']: layer for layer in report['layers']}
    assert layers['backbone.conv1.conv']['input'] == 'real-valued'
    # conv_res_block1's conv is fed by the encoder: spikes, so SOPs > 0 ...
    assert layers['backbone.conv_res_block1.conv.conv']['sops'] > 0
    # ... and every later neuron is silent (the weak weights loaded).
    rates = report['firing_rates']['layers']
    assert rates['backbone.conv1.activate'] > 0
    assert all(rate == 0 for name, rate in rates.items()
               if name != 'backbone.conv1.activate')


def test_bad_arguments(get_energy, tmp_path):
    cfg = tiny_config(tmp_path, str(tmp_path))
    with pytest.raises(SystemExit):
        get_energy.parse_args([cfg, '--num-images', '0'])
    with pytest.raises(SystemExit):
        get_energy.parse_args([cfg, osp.join(str(tmp_path), 'none.pth')])
    with pytest.raises(SystemExit):
        get_energy.parse_args(['no_such_config.py'])


def test_checkpoint_of_another_model_is_refused(get_energy, tmp_path,
                                                capsys):
    """It loaded with mmengine's warnings into a random model, whose
    firing rates and energy were then reported."""
    cfg = tiny_config(tmp_path, str(tmp_path))
    other = osp.join(str(tmp_path), 'other.pth')
    torch.save(dict(state_dict={'backbone.stem.weight': torch.zeros(1)}),
               other)
    with pytest.raises(SystemExit) as stop:
        get_energy.main([cfg, other, '--synthetic', '--num-images', '1',
                         '--out-dir', osp.join(str(tmp_path), 'out')])
    assert stop.value.code == 2
    assert f'No parameter of checkpoint {other}' in capsys.readouterr().err


def test_spike_driven_spikeyolo(get_energy, tmp_path, capsys):
    from ..test_models.test_detectors.spikeyolo_reference import mmsnn_cfg
    cfg = osp.join(str(tmp_path), 'spikeyolo.py')
    with open(cfg, 'w') as f:
        f.write(f'model = {mmsnn_cfg()!r}\n'
                'test_dataloader = dict(dataset=dict(type="VOCDataset", '
                'data_root="no_such_data/", ann_file="x.txt"))\n')
    report = get_energy.main([cfg, '--num-images', '1', '--shape', '64',
                              '64', '--out-dir', str(tmp_path),
                              '--spike-driven'])
    printed = capsys.readouterr().out
    assert 'mean firing rate per binary step' in printed
    assert report.model_form == 'reparameterised, spike-driven'
    assert report.step_rates.binary_steps == 8 and report.chip.time_steps == 8
    assert {layer.steps for layer in report.layers} == {1, 8}
