"""tools/analysis_tools/get_energy.py: its command line on a narrow model
(the measurement itself: tests/test_analysis/test_energy_*.py)."""
import json
import os.path as osp

import pytest
import torch

from tests.conftest import repo_path
from tests.tiny_voc import tiny_config_text
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'analysis_tools/get_energy.py'


def tiny_config(tmp_path, data_root):
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:
        f.write(tiny_config_text(data_root).replace(
            'img_scale = (64, 64)', 'img_scale = (32, 32)'))
    return path


def test_synthetic_images_when_the_test_set_is_absent(tmp_path):
    cfg = tiny_config(tmp_path, osp.join(str(tmp_path), 'no_such_data', ''))
    out = osp.join(str(tmp_path), 'out')
    result = run_tool(TOOL, cfg, '--num-images', '2', '--shape', '32', '64',
                      '--out-dir', out, '--e-mac', '2', '--e-ac', '0.5',
                      '--step-time', '2', '--efficiency', '100',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout
    assert 'SYNTHETIC' in printed and 'No checkpoint' in printed
    assert 'backbone.conv1.conv' in printed and 'real-valued' in printed
    assert ('Wrote energy.json, energy.png, firing_rates.png to '
            f'{out}') in printed
    with open(osp.join(out, 'energy.json')) as f:
        saved = json.load(f)
    assert saved['config'] == cfg and saved['checkpoint'] is None
    assert saved['images'] == dict(
        kind='synthetic', images=2, shape=[32, 64], shape_from='--shape',
        reason=saved['images']['reason'], input_shapes=[[32, 64]])
    assert saved['time_steps'] == 2 and saved['num_images'] == 2
    assert saved['constants']['e_mac_j'] == pytest.approx(2e-12)
    assert saved['constants']['e_ac_j'] == pytest.approx(0.5e-12)
    assert saved['chip']['step_time_s'] == pytest.approx(2e-3)
    assert saved['chip']['efficiency_flops_per_w'] == pytest.approx(100e9)


def test_bad_arguments(tmp_path):
    cfg = tiny_config(tmp_path, str(tmp_path))
    for args, message in (
            (['--num-images', '0'], '--num-images must be >= 1'),
            (['--shape', '16', '64'], '--shape H W must be at least 32'),
            (['--e-mac', '0'], '--e-mac must be positive')):
        result = run_tool(TOOL, cfg, *args, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, args
    assert_one_paragraph_error(
        run_tool(TOOL, cfg, osp.join(str(tmp_path), 'none.pth'),
                 cwd=tmp_path), 'none.pth')
    assert_one_paragraph_error(
        run_tool(TOOL, 'no_such_config.py', cwd=tmp_path),
        'Config no_such_config.py')


def test_checkpoint_of_another_model_is_refused(tmp_path):
    """It loaded with mmengine's warnings into a random model, whose
    firing rates and energy were then reported."""
    cfg = tiny_config(tmp_path, str(tmp_path))
    other = osp.join(str(tmp_path), 'other.pth')
    torch.save(dict(state_dict={'backbone.stem.weight': torch.zeros(1)}),
               other)
    assert_one_paragraph_error(
        run_tool(TOOL, cfg, other, '--synthetic', '--num-images', '1',
                 '--out-dir', osp.join(str(tmp_path), 'out'), cwd=tmp_path),
        f'No parameter of checkpoint {other}')


def test_spike_driven_spikeyolo(tmp_path):
    from ..test_models.test_detectors.spikeyolo_reference import mmsnn_cfg
    cfg = osp.join(str(tmp_path), 'spikeyolo.py')
    with open(cfg, 'w') as f:
        f.write(f'model = {mmsnn_cfg()!r}\n'
                'test_dataloader = dict(dataset=dict(type="VOCDataset", '
                'data_root="no_such_data/", ann_file="x.txt"))\n')
    result = run_tool(TOOL, cfg, '--num-images', '1', '--shape', '64', '64',
                      '--out-dir', str(tmp_path), '--spike-driven',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'mean firing rate per binary step' in result.stdout
    with open(osp.join(str(tmp_path), 'energy.json')) as f:
        report = json.load(f)
    assert report['model_form'] == 'reparameterised, spike-driven'
    assert report['step_rates']['binary_steps'] == 8
    assert report['chip']['time_steps'] == 8
    assert {layer['steps'] for layer in report['layers']} == {1, 8}


EVENTS_CONFIG = repo_path('configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py')


def test_event_config_without_its_data_is_one_paragraph(tmp_path):
    """A missing Gen1 root was a traceback around the InputError."""
    assert_one_paragraph_error(
        run_tool(TOOL, EVENTS_CONFIG, '--num-images', '1', cwd=tmp_path),
        'No data set at data/mini_gen1/', 'test_dataloader.dataset',
        'python tools/misc/make_mini_gen1.py --out data/mini_gen1')
    assert_one_paragraph_error(
        run_tool(TOOL, EVENTS_CONFIG, '--synthetic', cwd=tmp_path),
        '--synthetic: the model of this config takes event frames')
    assert not (tmp_path / 'work_dirs').exists()


def test_event_config_is_measured_on_its_test_set(tmp_path):
    from mmsnn.datasets import make_mini_gen1
    make_mini_gen1(str(tmp_path / 'data/mini_gen1'), size='tiny')
    out = tmp_path / 'out'
    result = run_tool(TOOL, EVENTS_CONFIG, '--num-images', '1', '--out-dir',
                      str(out), '--cfg-options', 'time_steps=2',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Images: 1 from the test set (MiniGen1Dataset' in result.stdout
    report = json.loads((out / 'energy.json').read_text())
    assert report['images']['kind'] == 'test set'
