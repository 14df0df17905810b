"""Every tool checks its numeric and choice options before any work: a
value out of range is argparse's usage error (exit 2) naming the option,
not a traceback after the models are built (``convert_ann_to_snn.py
--calib-images 0`` was an IndexError, ``benchmark_snn.py --iters 0``
failed after building both models)."""
import pytest

from tests.test_tools.tool_runner import run_tool

CASES = [
    ('infer.py', ['img.jpg', 'c.py', 'c.pth', '--score-thr', '1.5'],
     '--score-thr: must be a number from 0 to 1'),
    ('test.py', ['c.py', 'c.pth', '--wait-time', '-1'],
     '--wait-time: must be a number >= 0'),
    ('analysis_tools/benchmark_snn.py', ['c.py', '--iters', '0'],
     '--iters: must be an integer >= 1'),
    ('analysis_tools/benchmark_snn.py', ['c.py', '--warmup', '-1'],
     '--warmup: must be an integer >= 0'),
    ('analysis_tools/benchmark_snn.py', ['c.py', '--profile', '-1'],
     '--profile: must be an integer >= 0'),
    ('analysis_tools/benchmark_snn.py', ['c.py', '--mode', 'fit'],
     "--mode: invalid choice: 'fit'"),
    ('analysis_tools/browse_events.py', ['c.py', '--indices', '-1'],
     '--indices: must be an integer >= 0'),
    ('analysis_tools/convert_ann_to_snn.py',
     ['c.py', 'c.pth', '--calib-images', '0'],
     '--calib-images: must be an integer >= 1'),
    ('analysis_tools/convert_ann_to_snn.py',
     ['c.py', 'c.pth', '--time-steps', '8', '0'],
     '--time-steps: must be an integer >= 1'),
    ('analysis_tools/convert_ann_to_snn.py',
     ['c.py', 'c.pth', '--percentile', '0'],
     '--percentile: must be a percentile'),
    ('analysis_tools/get_energy.py', ['c.py', '--num-images', '0'],
     '--num-images must be >= 1'),
    ('model_converters/balance_thresholds.py',
     ['c.py', 'c.pth', 'o.pth', '--calib-images', '0'],
     '--calib-images: must be an integer >= 1'),
    ('misc/make_mini_voc.py', ['--max-objects', '1'],
     '--max-objects: must be an integer >= 2'),
    ('misc/make_mini_voc.py', ['--workers', '0'],
     '--workers: must be an integer >= 1'),
]


@pytest.mark.parametrize('tool, args, culprit', CASES,
                         ids=[f'{c[0]} {c[1][-2]}' for c in CASES])
def test_bad_option_value_is_a_usage_error_before_any_work(
        tmp_path, tool, args, culprit):
    result = run_tool(tool, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert culprit in result.stderr
    assert 'usage:' in result.stderr and 'Traceback' not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written
