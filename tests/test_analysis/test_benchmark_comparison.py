"""mmsnn.analysis.benchmark.comparison: an SNN against its ANN twin, its
per-step path or a changed copy of itself, on a narrow model, one round."""
import os.path as osp

import pytest
import torch

from mmsnn.analysis.benchmark import (Comparison, benchmark_snn,
                                      format_benchmark)
from mmsnn.analysis.benchmark.training_modes import bptt_cfg_options
from mmsnn.engine.tool_config import load_tool_config
from mmsnn.utils import InputError
from tests.tiny_voc import ann_twin_config_text, tiny_config_text

QUICK = dict(shape=(64, 64), iters=1, warmup=0, progress=False)


@pytest.fixture
def config(tmp_path):
    path = osp.join(str(tmp_path), 'tiny.py')
    with open(path, 'w') as f:  # data are synthetic: the root is not read
        f.write(tiny_config_text(str(tmp_path), time_steps=3))
    return path


def test_snn_against_its_ann_twin_at_batch_t_times_b(config):
    result = benchmark_snn(load_tool_config(config), Comparison(), batch=2,
                           name=config, **QUICK)
    snn, ann = result['models']['snn'], result['models']['ann']
    assert (snn['images_per_step'], ann['images_per_step']) == (2, 6)
    assert len(snn['times_s']) == len(ann['times_s']) == 1
    for model in (snn, ann):
        assert model['peak_memory']['peak_bytes'] > 0
    ratios = result['ratios']
    assert (ratios['numerator'], ratios['denominator']) == ('snn', 'ann')
    assert ratios['step_time_median'] == pytest.approx(
        snn['step_time_median_s'] / ann['step_time_median_s'])
    assert result['time_steps'] == 3 and result['mode'] == 'train'
    assert result['config'] == config
    assert result['compared_with'] == 'ANN twin (LeakyReLU) at batch T x B'
    text = format_benchmark(result)
    assert text.startswith(f"{result['device']}, mode=train, T=3, B=2")
    assert 'snn / ann: step time (median) ' in text


def test_per_step_and_variant_comparisons(config):
    cfg = load_tool_config(config)
    result = benchmark_snn(cfg, Comparison(per_step=True), mode='infer',
                           measure_memory=False, **QUICK)
    assert set(result['models']) == {'folded', 'per_step'}
    assert result['ratios']['numerator'] == 'per_step'
    assert result['ratios']['peak_memory'] is None
    assert '-' in format_benchmark(result)  # no memory measured
    comparison = Comparison(variant_set=dict(with_cp=False))
    result = benchmark_snn(cfg, comparison, dict(with_cp=True),
                           measure_memory=False, **QUICK)
    assert set(result['models']) == {'snn', 'variant'}
    assert result['with_cp'] is True
    assert result['compared_with'] == \
        "the same SNN with {'with_cp': False}"


def test_variant_layout_and_frozen_stages(config, monkeypatch):
    from mmsnn.analysis.benchmark import comparison
    built = []

    def recording_make_step(model, data, *args, **kwargs):
        step = make_step(model, data, *args, **kwargs)  # puts it in train()
        built.append((model, data['inputs']))
        return step

    make_step = comparison.make_step
    monkeypatch.setattr(comparison, 'make_step', recording_make_step)
    variant = Comparison(variant_set=dict(frozen_stages=2),
                         variant_channels_last=True)
    result = benchmark_snn(load_tool_config(config), variant,
                           measure_memory=False, **QUICK)
    assert set(result['models']) == {'snn', 'variant'}
    assert 'channels-last' in result['compared_with']
    (snn, snn_inputs), (variant, variant_inputs) = built
    channels_last = torch.channels_last
    assert variant_inputs.is_contiguous(memory_format=channels_last)
    assert not snn_inputs.is_contiguous(memory_format=channels_last)
    conv = variant.backbone.conv_res_block1.conv.conv.weight
    assert conv.is_contiguous(memory_format=channels_last)
    # Darknet's frozen_stages=2: the stem and the first stage stop learning.
    assert not conv.requires_grad and conv.grad is None
    assert variant.backbone.conv_res_block2.conv.conv.weight.requires_grad
    assert snn.backbone.conv_res_block1.conv.conv.weight.requires_grad


def test_top_level_time_steps_reaches_the_model(config):
    # as in every tool: --cfg-options time_steps=N is the model's T
    result = benchmark_snn(load_tool_config(config, dict(time_steps=2)),
                           Comparison(), mode='infer', measure_memory=False,
                           **QUICK)
    assert result['time_steps'] == 2  # the config says 3
    assert result['models']['ann']['images_per_step'] == 2


def test_bad_settings_named(config, tmp_path):
    from mmsnn.utils import InputError
    cfg = load_tool_config(config)
    with pytest.raises(ValueError, match="'encode_twice'"):
        benchmark_snn(cfg, Comparison(), dict(encode_twice=True), **QUICK)
    ann = tmp_path / 'ann.py'
    ann.write_text(ann_twin_config_text(config))
    with pytest.raises(InputError, match='ann.py: model .* has no IF neuron'):
        benchmark_snn(load_tool_config(str(ann)), Comparison(),
                      name=str(ann), **QUICK)


def test_training_mode_against_bptt_and_the_twin(config):
    """model.bptt=sltt, k=2: the SNN trains by SLTT-K, and a copy of it
    trained by BPTT is measured in the same rounds; the twin trains by
    BPTT."""
    cfg = load_tool_config(config, bptt_cfg_options(['sltt', '2']))
    result = benchmark_snn(cfg, Comparison(), **QUICK)
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
        format_benchmark(result)
    # BPTT itself has no baseline
    result = benchmark_snn(load_tool_config(config), Comparison(),
                           measure_memory=False, **QUICK)
    assert set(result['models']) == {'snn', 'ann'}
    assert result['bptt'] == dict(mode='full', k=None)
    assert 'bptt_ratios' not in result
    assert 'training mode' not in format_benchmark(result)


@pytest.mark.parametrize('values', [['online'], ['sltt', 'two'],
                                    ['full', '2'], ['sltt', '1', '2']])
def test_bad_training_modes_are_input_errors(values):
    with pytest.raises(InputError, match='bptt'):
        bptt_cfg_options(values)
