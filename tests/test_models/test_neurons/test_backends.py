"""backend='auto': the fastest measured kernel per device, fused where
compiling fails; shown in extra_repr. Nothing is timed here."""
import warnings

import pytest
import torch

from mmsnn.models.neurons import (BACKEND_ENV, IFNeuron, LIFNeuron,
                                  SpikingJellyNeuron, resolve_backend)
from mmsnn.models.neurons.multistep import _Kernels


@pytest.mark.parametrize('device, expected', [
    ('cpu', 'compiled'),  # docs/benchmarks.md: train 1.016 vs fused 1.08
    ('cuda', 'compiled'),  # H200: inference 1.27 vs 2.94, train 0.763
    ('mps', 'fused'),  # not measured: the eager kernels
])
def test_auto_picks_the_fastest_measured(device, expected):
    assert resolve_backend('auto', device, env='') == expected


def test_auto_falls_back_to_fused_where_compiling_failed():
    assert resolve_backend('auto', 'cpu', compile_failed='no g++',
                           env='') == 'fused'
    # an explicit choice is kept (the kernels then fall back themselves)
    assert resolve_backend('compiled', 'cpu', compile_failed='no g++',
                           env='') == 'compiled'


def test_environment_overrides_auto_only(monkeypatch):
    monkeypatch.setenv(BACKEND_ENV, 'autograd')
    assert IFNeuron().resolved_backend == 'autograd'
    assert IFNeuron(backend='fused').resolved_backend == 'fused'
    monkeypatch.setenv(BACKEND_ENV, 'fast')
    with pytest.raises(ValueError, match='MMSNN_NEURON_BACKEND=fast'):
        IFNeuron().resolved_backend


def test_default_is_auto_and_repr_shows_what_runs(monkeypatch):
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    monkeypatch.setattr(_Kernels, 'compile_failed', None)
    neuron = LIFNeuron()
    assert neuron.backend == 'auto'
    assert neuron.resolved_backend == 'compiled'
    assert 'backend=auto (compiled)' in repr(neuron)
    monkeypatch.setattr(_Kernels, 'compile_failed', 'RuntimeError: no g++')
    assert 'backend=auto (fused)' in repr(neuron)
    assert 'backend=auto (spikingjelly)' in repr(
        SpikingJellyNeuron(node='IFNode'))


def test_compile_failure_falls_back_with_one_warning(monkeypatch):
    def broken(*args):
        raise RuntimeError('InductorError: no C++ compiler')

    monkeypatch.setattr(_Kernels, 'compile_failed', None)
    monkeypatch.setattr(_Kernels, 'compiled', (broken, broken))
    # the backward: on CPU the forward runs the C++ kernel
    x = torch.randn(3 * 2, 4, requires_grad=True)
    with pytest.warns(UserWarning, match='torch.compile failed'):
        spikes = IFNeuron(time_steps=3, backend='compiled')(x)
        spikes.sum().backward()
    assert torch.equal(spikes, IFNeuron(time_steps=3, backend='fused')(x))
    assert _Kernels.compile_failed.startswith('RuntimeError')
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert IFNeuron().resolved_backend == 'fused'


def test_op_counting_runs_eager_kernels_and_is_no_compile_failure(
        monkeypatch):
    """Under a dispatch mode (SpikeOpAnalyzer's counters) dynamo finds no
    frame: the eager kernels run, and later calls may still compile."""
    from mmsnn.analysis import SpikeOpAnalyzer

    def never(*args):
        raise AssertionError('the compiled kernel ran under op counting')

    monkeypatch.setattr(_Kernels, 'compile_failed', None)
    monkeypatch.setattr(_Kernels, 'compiled', (never, never))
    neuron = IFNeuron(time_steps=3, backend='compiled')
    layer = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), neuron)
    x = torch.randn(3 * 2, 1, 4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        SpikeOpAnalyzer(layer).forward(x)
    assert _Kernels.compile_failed is None



def test_a_new_charge_alone_never_runs_a_kernel_it_does_not_fit():
    from mmsnn.models.neurons import ThresholdNeuron

    class SquareLeakNeuron(ThresholdNeuron):
        def charge(self, x, v):
            return 0.5 * v * v + x

    neuron = SquareLeakNeuron(time_steps=3)
    assert neuron.resolved_backend == 'autograd'
    # 0.6, 0.78, 0.904 (never 1)
    assert neuron(torch.full((3, 1), 0.6)).sum() == 0
    with pytest.raises(ValueError, match='SquareLeakNeuron: backend'):
        SquareLeakNeuron(backend='fused')
