"""tools/analysis_tools/benchmark_snn.py: its command line on a narrow model,
one round (the benchmark itself: tests/test_analysis)."""
import json
import os.path as osp

from tests.tiny_voc import tiny_config_text
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'analysis_tools/benchmark_snn.py'


def test_options_reach_the_benchmark_and_the_json(tmp_path):
    config = osp.join(str(tmp_path), 'tiny.py')
    with open(config, 'w') as f:  # data are synthetic: the root is not read
        f.write(tiny_config_text(str(tmp_path), time_steps=3))
    out = osp.join(str(tmp_path), 'bench.json')
    result = run_tool(TOOL, config, '--shape', '64', '64', '--batch', '2',
                      '--iters', '1', '--warmup', '0', '--no-progress',
                      '--no-memory', '--mode', 'infer', '--with-cp',
                      '--neuron-backend', 'fused', '--out', out,
                      '--profile', '1', '--cfg-options', 'time_steps=2',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out) as f:
        bench = json.load(f)
    assert bench['config'] == config and bench['time_steps'] == 2
    assert bench['models']['ann']['images_per_step'] == 4  # T x B
    assert bench['set'] == dict(backend='fused', with_cp=True)
    assert bench['neuron_backend'] == ['fused'] and bench['with_cp'] is True
    assert bench['cfg_options'] == dict(time_steps=2)
    assert 'snn / ann: step time (median)' in result.stdout
    assert f'results written to {out}' in result.stdout
    assert set(bench['profile']) == {'snn', 'ann'}
    assert bench['profile']['snn']['groups']['neurons'] > 0
    assert bench['profile']['ann']['groups']['neurons'] == 0
    assert 'where the time goes' in result.stdout


def test_bad_input_named(tmp_path):
    assert_one_paragraph_error(run_tool(TOOL, 'missing.py', cwd=tmp_path),
                               'Config missing.py', 'does not exist')
    config = tmp_path / 'tiny.py'
    config.write_text(tiny_config_text(str(tmp_path)))
    assert_one_paragraph_error(
        run_tool(TOOL, config, '--shape', '16', '64', cwd=tmp_path),
        '--shape must be >= 32')
    # (out-of-range numbers: tests/test_tools/test_option_values.py)


def test_bptt_option_reaches_the_model(tmp_path):
    config = tmp_path / 'tiny.py'
    config.write_text(tiny_config_text(str(tmp_path), time_steps=2))
    result = run_tool(TOOL, config, '--shape', '64', '64', '--iters', '1',
                      '--warmup', '0', '--no-progress', '--no-memory',
                      '--bptt', 'sltt', '1', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "training mode {'mode': 'sltt', 'k': 1} / BPTT" in result.stdout
    assert_one_paragraph_error(
        run_tool(TOOL, config, '--bptt', 'online', cwd=tmp_path), '--bptt')
