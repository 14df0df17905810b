"""tools/analysis_tools/convert_ann_to_snn.py end to end on tiny VOC data."""
import json
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config

from ..tiny_voc import tiny_config_text, write_tiny_voc
from .test_get_energy import load_tool

# An ANN twin of a tiny SNN config, as configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py is
# of its SNN: inherit it, LeakyReLU for every neuron, T=1.
ANN_TWIN = """_base_ = {snn!r}
leaky_relu = dict(type='LeakyReLU', negative_slope=0.1)
model = dict(time_steps=1, backbone=dict(neuron_cfg=leaky_relu),
             neck=dict(neuron_cfg=leaky_relu),
             bbox_head=dict(neuron_cfg=leaky_relu))
custom_hooks = []
"""


def tiny_ann(tmp_path):
    data_root = write_tiny_voc(osp.join(str(tmp_path), 'data'))
    snn = osp.join(str(tmp_path), 'tiny_snn.py')
    with open(snn, 'w') as f:
        f.write(tiny_config_text(data_root).replace(
            'img_scale = (64, 64)', 'img_scale = (32, 32)'))
    config = osp.join(str(tmp_path), 'tiny_ann.py')
    with open(config, 'w') as f:
        f.write(ANN_TWIN.format(snn=snn))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    ckpt = osp.join(str(tmp_path), 'ann.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return config, ckpt


@pytest.mark.parametrize('steps', [['3'], ['2', '4']])
def test_converts_evaluates_and_writes_json(tmp_path, steps):
    tool = load_tool('convert_ann_to_snn')
    config, ckpt = tiny_ann(tmp_path)
    out = osp.join(str(tmp_path), 'out.json')
    tool.main([config, ckpt, '--time-steps', *steps, '--calib-images', '2',
               '--work-dir', osp.join(str(tmp_path), 'work'), '--out', out])
    with open(out) as f:
        report = json.load(f)
    assert [r['time_steps'] for r in report['results']] == list(
        map(int, steps))
    for r in report['results']:
        assert 'pascal_voc/mAP' in r['metrics']
        assert r['macs_per_step'] > r['real_macs'] > 0
        assert r['sops'] >= 0 and r['energy_45nm_j'] > 0
    if len(steps) == 2:  # SOPs of the first 2 steps <= those of 4
        assert report['results'][0]['sops'] <= report['results'][1]['sops']
    assert report['calib_images'] == 2 and report['percentile'] == 99.9


def test_refuses_a_checkpoint_of_another_model(tmp_path):
    tool = load_tool('convert_ann_to_snn')
    config, _ = tiny_ann(tmp_path)
    bad = osp.join(str(tmp_path), 'bad.pth')
    torch.save(dict(state_dict={'backbone.other.weight': torch.zeros(1)}),
               bad)
    with pytest.raises(SystemExit):
        tool.main([config, bad, '--time-steps', '2', '--calib-images', '1',
                   '--work-dir', osp.join(str(tmp_path), 'work')])


def test_checks_data_output_and_checkpoint_before_calibrating(tmp_path):
    """The checks of tools/train.py and tools/test.py, before the work:
    missing data and an unwritable --out are one paragraph (they were a
    FileNotFoundError, and a PermissionError after the evaluation)."""
    import shutil

    from .tool_runner import assert_one_paragraph_error, run_tool
    config, ckpt = tiny_ann(tmp_path)
    work = osp.join(str(tmp_path), 'work')
    result = run_tool('analysis_tools/convert_ann_to_snn.py', config, ckpt,
                      '--time-steps', '2', '--calib-images', '1',
                      '--work-dir', work, '--out', '/sys/mmsnn_out.json',
                      cwd=tmp_path)
    assert_one_paragraph_error(
        result, 'The folder of --out /sys (absolute: /sys)')
    shutil.rmtree(tmp_path / 'data')
    result = run_tool('analysis_tools/convert_ann_to_snn.py', config, ckpt,
                      '--time-steps', '2', '--calib-images', '1',
                      '--work-dir', work, cwd=tmp_path)
    assert_one_paragraph_error(
        result, f'No data set at {tmp_path / "data"}',
        'train_dataloader.dataset.data_root=')


def test_warns_of_a_checkpoint_trained_as_another_model(tmp_path,
                                                        yapf_formatting):
    """An SNN's checkpoint under the ANN config has the same names and
    shapes; it converted without a word, as tools/test.py now warns."""
    tool = load_tool('convert_ann_to_snn')
    config, ckpt = tiny_ann(tmp_path)
    snn = Config.fromfile(osp.join(str(tmp_path), 'tiny_snn.py'))
    state = torch.load(ckpt)['state_dict']
    torch.save(dict(state_dict=state, meta=dict(cfg=snn.pretty_text)), ckpt)
    with pytest.warns(UserWarning, match='was trained as another model than '
                      'the config builds: .*backbone.neuron_cfg IFNeuron '
                      r'\(config: LeakyReLU\)'):
        tool.main([config, ckpt, '--time-steps', '2', '--calib-images', '1',
                   '--work-dir', osp.join(str(tmp_path), 'work')])
