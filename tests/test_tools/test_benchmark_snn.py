"""tools/analysis_tools/benchmark_snn.py on a narrow model, one round."""
import json
import os.path as osp

import pytest
import torch

from mmsnn.utils import InputError
from ..tiny_voc import tiny_config_text
from .test_get_energy import load_tool


@pytest.fixture(scope='module')
def tool():
    return load_tool('benchmark_snn')


@pytest.fixture
def config(tmp_path):
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:  # data are synthetic: the root is not read
        f.write(tiny_config_text(str(tmp_path), time_steps=3))
    return path


def test_snn_against_ann_twin_writes_json(tool, config, tmp_path, capsys):
    out = osp.join(str(tmp_path), 'bench.json')
    tool.main([config, '--shape', '64', '64', '--batch', '2', '--iters', '1',
               '--warmup', '0', '--no-progress', '--out', out])
    with open(out) as f:
        result = json.load(f)
    snn, ann = result['models']['snn'], result['models']['ann']
    assert (snn['images_per_step'], ann['images_per_step']) == (2, 6)
    assert len(snn['times_s']) == len(ann['times_s']) == 1
    for model in (snn, ann):
        assert model['peak_memory']['peak_bytes'] > 0
    ratios = result['ratios']
    assert (ratios['numerator'], ratios['denominator']) == ('snn', 'ann')
    assert ratios['step_time_median'] == pytest.approx(
        snn['step_time_median_s'] / ann['step_time_median_s'])
    assert ratios['peak_memory'] > 0 and ratios['step_time_min'] > 0
    assert result['time_steps'] == 3 and result['mode'] == 'train'
    assert result['device'].startswith('CPU')
    assert 'snn / ann' in capsys.readouterr().out


def test_per_step_and_variant_comparisons(tool, config):
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--no-memory',
                        '--mode', 'infer', '--per-step'])
    assert set(result['models']) == {'folded', 'per_step'}
    assert result['ratios']['numerator'] == 'per_step'
    assert result['ratios']['peak_memory'] is None
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--no-memory',
                        '--with-cp', '--variant-set', 'with_cp=False'])
    assert set(result['models']) == {'snn', 'variant'}
    assert result['with_cp'] is True


def test_variant_layout_and_frozen_stages(tool, config, monkeypatch):
    built = {}

    def recording_make_step(model, data, *args, **kwargs):
        step = make_step(model, data, *args, **kwargs)  # puts it in train()
        built.setdefault('models', []).append((model, data['inputs']))
        return step

    make_step = tool.make_step
    monkeypatch.setattr(tool, 'make_step', recording_make_step)
    result = tool.main([
        config, '--shape', '64', '64', '--iters', '1', '--warmup', '0',
        '--no-progress', '--no-memory', '--variant-channels-last',
        '--variant-set', 'frozen_stages=2'
    ])
    assert set(result['models']) == {'snn', 'variant'}
    assert 'channels-last' in result['compared_with']
    (snn, snn_inputs), (variant, variant_inputs) = built['models']
    channels_last = torch.channels_last
    assert variant_inputs.is_contiguous(memory_format=channels_last)
    assert not snn_inputs.is_contiguous(memory_format=channels_last)
    conv = variant.backbone.conv_res_block1.conv.conv.weight
    assert conv.is_contiguous(memory_format=channels_last)
    # Darknet's frozen_stages=2: the stem and the first stage stop learning.
    assert not conv.requires_grad and conv.grad is None
    assert variant.backbone.conv_res_block2.conv.conv.weight.requires_grad
    assert snn.backbone.conv_res_block1.conv.conv.weight.requires_grad


def test_top_level_time_steps_reaches_the_model(tool, config):
    # as in every tool: --cfg-options time_steps=N is the model's T
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--no-memory',
                        '--mode', 'infer', '--cfg-options', 'time_steps=2'])
    assert result['time_steps'] == 2  # the config says 3
    assert result['models']['ann']['images_per_step'] == 2


def test_bad_input_named(tool, config):
    with pytest.raises(InputError, match='missing.py'):
        tool.main(['missing.py'])
    with pytest.raises(InputError, match='--batch'):
        tool.main([config, '--batch', '0'])
    with pytest.raises(ValueError, match="'encode_twice'"):
        tool.main([config, '--set', 'encode_twice=True', '--no-progress'])


def test_training_mode_against_bptt_and_the_twin(tool, config, capsys):
    """--bptt sltt 2: the SNN trains by SLTT-K, and a copy of it trained
    by BPTT is measured in the same rounds; the twin trains by BPTT."""
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--bptt', 'sltt',
                        '2'])
    assert set(result['models']) == {'snn', 'ann', 'bptt'}
    assert result['bptt'] == dict(mode='sltt', k=2)
    bptt = result['bptt_ratios']
    assert (bptt['numerator'], bptt['denominator']) == ('snn', 'bptt')
    models = result['models']
    assert bptt['step_time_median'] == pytest.approx(
        models['snn']['step_time_median_s'] /
        models['bptt']['step_time_median_s'])
    assert bptt['peak_memory'] > 0
    assert result['ratios']['denominator'] == 'ann'
    assert "training mode {'mode': 'sltt', 'k': 2} / BPTT" in \
        capsys.readouterr().out
    # the same through --cfg-options; BPTT itself has no baseline
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--no-memory',
                        '--cfg-options', 'model.bptt.mode=sltt'])
    assert set(result['models']) == {'snn', 'ann', 'bptt'}
    result = tool.main([config, '--shape', '64', '64', '--iters', '1',
                        '--warmup', '0', '--no-progress', '--no-memory'])
    assert set(result['models']) == {'snn', 'ann'}
    assert result['bptt'] == dict(mode='full', k=None)
    assert 'bptt_ratios' not in result


@pytest.mark.parametrize('values', [['online'], ['sltt', 'two'],
                                    ['full', '2'], ['sltt', '1', '2']])
def test_bad_training_modes_are_input_errors(tool, config, values):
    with pytest.raises(InputError, match='bptt'):
        tool.main([config, '--iters', '1', '--bptt', *values])
