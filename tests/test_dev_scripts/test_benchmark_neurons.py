""".dev_scripts/benchmark_neurons.py runs every neuron with its backends
(timings themselves are not checked: nothing is timed in the tests)."""
from tests.conftest import repo_path
from tests.test_tools.tool_runner import run_script


def test_every_neuron_and_backend_runs(tmp_path):
    result = run_script(
        repo_path('.dev_scripts', 'benchmark_neurons.py'), '--shape', '1',
        '2', '4', '4', '--time-steps', '2', '--iters', '1', '--warmup', '0',
        '--backends', 'fused', 'autograd', 'spikingjelly', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    # a line per step: its name (34 columns), then its median in ms
    rows = {line[:34].strip(): float(line[34:])
            for line in result.stdout.splitlines()[2:]}
    assert set(rows) == {
        'IF/fused', 'IF/autograd', 'LIF/fused', 'LIF/autograd', 'PLIF/fused',
        'PLIF/autograd', 'spikingjelly LIFNode/spikingjelly'
    }
    assert all(ms > 0 for ms in rows.values())
