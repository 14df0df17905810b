"""The compiled kernels equal the eager ones; dtypes under autocast.

(``fused`` vs ``autograd`` is tested in test_if_neuron.py and
test_lif_neuron.py.)
"""
import shutil

import pytest
import torch

from mmsnn.models.neurons import IFNeuron, ParametricLIFNeuron
from mmsnn.models.neurons.multistep import _Kernels, multistep_spikes
from mmsnn.models.time import fold_time


def run_backend(cls, backend, x, weight):
    neuron = cls(time_steps=x.shape[0], backend=backend,
                 learnable_threshold=True).to(x.dtype)
    xi = x.clone().requires_grad_()
    spikes = neuron(fold_time(xi))
    (spikes * weight).sum().backward()
    return (spikes, xi.grad) + tuple(p.grad for p in neuron.parameters())


@pytest.mark.skipif(shutil.which('g++') is None and shutil.which('c++') is
                    None, reason='torch.compile on CPU needs a C++ compiler')
@pytest.mark.parametrize('cls', [IFNeuron, ParametricLIFNeuron])
def test_compiled_equals_fused(cls):
    # one case per kernel (without / with a learnt leak): each (dtype,
    # reset, detach) costs seconds of compilation, and the other branches
    # are the same Python code as the eager kernel's
    torch.manual_seed(0)
    dtype = torch.float64
    x = (torch.randn(4, 3, 2, 5, 5) * 1.5).to(dtype)
    weight = torch.randn(4 * 3, 2, 5, 5, dtype=dtype)
    fused = run_backend(cls, 'fused', x, weight)
    compiled = run_backend(cls, 'compiled', x, weight)
    assert _Kernels.compile_failed is None, _Kernels.compile_failed
    assert torch.equal(fused[0], compiled[0])  # same spikes, bit for bit
    # same surrogate gradients, to the last bits (the compiler may contract
    # a multiply-add); threshold and (PLIF) w gradients included
    assert len(fused) == (3 if cls is IFNeuron else 4)
    for a, b in zip(fused[1:], compiled[1:]):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=0)
    assert fused[1].abs().sum() > 0


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_half_inputs_keep_their_dtype(dtype):
    """What autocast hands the neuron: half currents, float32 threshold."""
    torch.manual_seed(0)
    # multiples of 1/8: every potential is exact in half precision, so the
    # spikes must equal float32's exactly
    x32 = torch.randint(-12, 13, (3, 4, 6)).float() / 8
    weight = torch.randn(3, 4, 6)
    results = []
    for x in (x32.to(dtype), x32):
        x.requires_grad_()
        threshold = torch.tensor(1.0, requires_grad=True)
        spikes = multistep_spikes(x, threshold, 2.0, True, False)
        (spikes.float() * weight).sum().backward()
        results.append((spikes, x.grad, threshold.grad))
    (spikes, grad, grad_th), (ref, ref_grad, ref_th) = results
    assert spikes.dtype == grad.dtype == dtype
    assert grad_th.dtype == torch.float32
    assert torch.equal(spikes.float(), ref)
    torch.testing.assert_close(grad.float(), ref_grad, rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(grad_th, ref_th, rtol=2e-2, atol=2e-2)


def test_threshold_gradient_does_not_overflow_in_half():
    # 2**17 neurons each contributing about -g'(0) = -1 to dL/dVth: far
    # beyond float16's range (65504) when summed there
    x = torch.full((1, 2**17), 1.0, dtype=torch.float16, requires_grad=True)
    threshold = torch.tensor(1.0, requires_grad=True)
    multistep_spikes(x, threshold, 2.0, True, False).float().sum().backward()
    assert torch.isfinite(threshold.grad)
    assert threshold.grad.item() == pytest.approx(-2**17, rel=1e-3)


def test_inference_does_not_build_a_graph():
    x = torch.randn(2, 5, requires_grad=True)
    with torch.no_grad():
        spikes = multistep_spikes(x, torch.tensor(1.0), 2.0, True, False)
    assert spikes.grad_fn is None and not spikes.requires_grad


def test_backward_keeps_the_input_not_the_potentials():
    """BPTT and SLTT store the input currents (the potentials are
    recomputed in backward), SLTT-K the drawn steps' potentials."""
    from mmsnn.models.neurons.bptt_mode import StepDraw
    x = torch.randn(4, 2, 3, requires_grad=True)
    th = torch.tensor(1.0)
    for temporal_grad in (True, False):
        spikes = multistep_spikes(x, th, 2.0, True, False,
                                  temporal_grad=temporal_grad)
        saved = spikes.grad_fn.saved_tensors[0]
        assert saved.data_ptr() == x.data_ptr()
        assert saved.shape == (4, 6)
    draw = StepDraw((1, 3), 4, 2)
    spikes = multistep_spikes(x, th, 2.0, True, False, temporal_grad=False,
                              grad_steps=draw)
    h = torch.cumsum(x.detach(), 0)  # no spike before h >= 1: check below
    saved = spikes.grad_fn.saved_tensors[0]
    assert saved.shape == (2, 6)
    fired = (spikes.detach() > 0).reshape(4, 6).cumsum(0)
    quiet = (fired[[0, 2]] == 0).all(0)  # no reset before steps 1 and 3
    torch.testing.assert_close(saved[:, quiet],
                               h.reshape(4, 6)[[1, 3]][:, quiet])


@pytest.mark.skipif(shutil.which('g++') is None and shutil.which('c++') is
                    None, reason='torch.compile on CPU needs a C++ compiler')
def test_compiled_kernel_is_parallel_whatever_the_first_size():
    """A first call with a tiny N must not compile a serial CPU kernel (the
    FX cache would then serve it to every later process)."""
    from torch._inductor import config as inductor_config
    from torch._inductor.utils import run_and_get_code

    from mmsnn.models.neurons.multistep import (COMPILE_OPTIONS,
                                                neuron_forward)
    compiled = torch.compile(neuron_forward, dynamic=True, fullgraph=True,
                             options=COMPILE_OPTIONS)
    with torch.no_grad(), inductor_config.patch(fx_graph_cache=False):
        _, codes = run_and_get_code(compiled, torch.randn(3, 8),
                                    torch.tensor(1.0), True, False)
    assert any('omp parallel' in code for code in codes)
