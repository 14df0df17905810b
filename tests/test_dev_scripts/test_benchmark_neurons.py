""".dev_scripts/benchmark_neurons.py runs every neuron with its backends
(timings themselves are not checked: nothing is timed in the tests)."""
from tests.test_tools.script_loader import load_script


def test_every_neuron_and_backend_runs(capsys):
    script = load_script('benchmark_neurons.py', top='.dev_scripts')
    times = script.main([
        '--shape', '1', '2', '4', '4', '--time-steps', '2', '--iters', '1',
        '--warmup', '0', '--backends', 'fused', 'autograd', 'spikingjelly'
    ])
    assert set(times) == {
        'IF/fused', 'IF/autograd', 'LIF/fused', 'LIF/autograd', 'PLIF/fused',
        'PLIF/autograd', 'spikingjelly LIFNode/spikingjelly'
    }
    assert all(len(t) == 1 and t[0] > 0 for t in times.values())
    assert 'LIF/fused' in capsys.readouterr().out
