"""The C++ kernels on CPU: the other kernels' spikes and potentials, bit
for bit; in place only where allowed; the models that reuse a neuron's
input; the channel statistics."""
import shutil

import pytest
import torch
from mmcv.cnn import ConvModule
from torch.utils._python_dispatch import TorchDispatchMode

from mmsnn.models.backbones import EMSResNet
from mmsnn.models.cpu_kernels import (_Extension, channel_stats_cpu,
                                      spikes_cpu)
from mmsnn.models.layers.ems_conv import EMSConv
from mmsnn.models.neurons import IFNeuron, LIFNeuron, ParametricLIFNeuron
from mmsnn.models.neurons.multistep import neuron_forward_eager

pytestmark = pytest.mark.skipif(
    shutil.which('g++') is None and shutil.which('c++') is None,
    reason='the kernel is built with a C++ compiler')


def built():
    assert _Extension.get() is not None, _Extension.failed


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('soft_reset', [True, False])
@pytest.mark.parametrize('leak', [None, 0.75])
def test_spikes_equal_the_eager_kernel(dtype, soft_reset, leak):
    built()
    torch.manual_seed(0)
    # N not a multiple of the block, so that the last block is partial
    x = (torch.randn(6, 3, 1001) * 1.5).to(dtype)
    k = None if leak is None else torch.tensor(leak)
    th = torch.tensor(1.0)
    want, _ = neuron_forward_eager(x.reshape(6, -1), th, soft_reset, False,
                                   k)
    got = spikes_cpu(x, th, soft_reset, k)[0]
    assert got is not x and got.dtype == dtype
    assert torch.equal(got.reshape(6, -1), want)
    assert 0 < want.mean() < 0.5
    inplace = x.clone()
    assert spikes_cpu(inplace, th, soft_reset, k, inplace=True)[0] is inplace
    assert torch.equal(inplace, got)


@pytest.mark.parametrize('cfg', [
    dict(type=IFNeuron),
    dict(type=IFNeuron, reset_mode='hard', v_reset=-0.5),
    dict(type=LIFNeuron, tau=2.0),
    dict(type=LIFNeuron, tau=3.0, reset_mode='hard', decay_input=False),
    dict(type=ParametricLIFNeuron),
])
def test_neurons_infer_as_with_the_fused_kernels(cfg):
    built()
    cfg = dict(cfg)
    cls = cfg.pop('type')
    torch.manual_seed(0)
    x = torch.randn(4 * 2, 3, 5, 7) * 2
    fused = cls(time_steps=4, backend='fused', **cfg)
    neuron = cls(time_steps=4, backend='compiled', inplace=True, **cfg)
    kept = cls(time_steps=4, backend='compiled', **cfg)
    with torch.no_grad():
        want = fused(x)
        assert torch.equal(kept(x), want)
        x_in = x.clone()
        got = neuron(x_in)
    assert torch.equal(got, want)
    # IF and LIF without input decay hand the input to the kernel itself
    if cls is IFNeuron or not cfg.get('decay_input', True):
        assert got.data_ptr() == x_in.data_ptr()


def test_only_contiguous_inputs_are_overwritten():
    built()
    x = torch.randn(5, 4, 3) * 2
    strided = x.transpose(1, 2)
    before = strided.clone()
    out = spikes_cpu(strided, torch.tensor(1.0), True, inplace=True)[0]
    assert torch.equal(strided, before)
    want, _ = neuron_forward_eager(before.reshape(5, -1), torch.tensor(1.0),
                                   True, False)
    assert torch.equal(out.reshape(5, -1), want)


def test_overwriting_bumps_the_version():
    built()
    x = torch.randn(3, 10)
    version = x._version
    spikes_cpu(x, torch.tensor(1.0), True, inplace=True)
    assert x._version > version


def test_where_the_kernel_does_not_apply():
    x = torch.randn(3, 10)
    th = torch.tensor(1.0)
    assert spikes_cpu(x.half(), th, True) is None
    assert spikes_cpu(x.bfloat16(), th, True) is None

    class Nothing(TorchDispatchMode):

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    with Nothing():
        assert spikes_cpu(x, th, True) is None


def test_conv_modules_let_the_neuron_work_in_place():
    conv = ConvModule(3, 4, 3, padding=1, norm_cfg=dict(type='BN'),
                      act_cfg=dict(type='IFNeuron'))
    assert conv.activate.inplace
    first = EMSConv(3, 4, 3, act_cfg=dict(type='IFNeuron'),
                    order=('act', 'conv', 'norm'))
    assert not first.activate.inplace  # its input is the block's


def test_ems_blocks_keep_their_shortcut_input():
    """An EMS-YOLO block spikes its input in conv1 and reads it again in
    its shortcut: in-place inference must not change what it computes."""
    built()
    torch.manual_seed(0)
    x = torch.rand(2, 3, 64, 64) * 20
    outs = []
    for backend in ('fused', 'compiled'):
        torch.manual_seed(1)
        # a low threshold: the blocks fire (a silent network hides it)
        backbone = EMSResNet(arch='resnet18', widen_factor=0.25,
                             time_steps=2,
                             neuron_cfg=dict(type='IFNeuron', backend=backend,
                                             v_threshold=0.05)).eval()
        with torch.no_grad():
            outs.append(backbone(x))
    for a, b in zip(*outs):
        assert a.abs().sum() > 0
        assert torch.equal(a, b)


def test_in_place_only_without_autograd():
    built()
    x = torch.randn(2 * 3, 4) * 2
    neuron = IFNeuron(time_steps=2, backend='compiled', inplace=True)
    frozen = x.clone()  # needs no grad, but grad mode is on
    out = neuron(frozen)
    assert out.data_ptr() != frozen.data_ptr() and torch.equal(frozen, x)
    with torch.inference_mode():
        y = x.clone()
        assert neuron(y).data_ptr() == y.data_ptr()


def test_a_failed_build_falls_back_with_one_warning(monkeypatch):
    import torch.utils.cpp_extension as cpp_extension

    def no_compiler(*args, **kwargs):
        raise RuntimeError('Error building extension: no c++')

    monkeypatch.setattr(_Extension, 'module', None)
    monkeypatch.setattr(_Extension, 'failed', None)
    monkeypatch.setattr(cpp_extension, 'load_inline', no_compiler)
    x = torch.randn(3 * 2, 4) * 2
    with pytest.warns(UserWarning, match='build failed'):
        assert spikes_cpu(x, torch.tensor(1.0), True) is None
    assert _Extension.failed.startswith('RuntimeError')
    with torch.no_grad():
        spikes = IFNeuron(time_steps=3, backend='compiled', inplace=True)(x)
    assert torch.equal(spikes, IFNeuron(time_steps=3, backend='fused')(x))


@pytest.mark.parametrize('leak', [None, 0.5])
def test_drawn_steps_potentials_equal_the_selected_ones(leak):
    """SLTT-K's forward: the potentials of the drawn steps (and of the
    steps before them), as the kernels' full sequence selected."""
    built()
    torch.manual_seed(0)
    x = torch.randn(5, 2003) * 1.5
    k = None if leak is None else torch.tensor(leak)
    th = torch.tensor(1.0)
    spikes, h_seq = neuron_forward_eager(x, th, True, True, k)
    steps = [0, 2, 4]
    got, h, h_prev = spikes_cpu(x, th, True, k, steps=steps, prev=True)
    assert torch.equal(got, spikes)
    assert torch.equal(h, h_seq[steps])
    before = torch.cat([torch.zeros_like(h_seq[:1]), h_seq[:-1]])
    assert torch.equal(h_prev, before[steps])
    assert spikes_cpu(x, th, True, k, steps=[1])[2] is None


@pytest.mark.parametrize('shape', [(12, 5), (12, 5, 7), (6, 5, 4, 33)])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_channel_statistics_equal_var_mean(shape, dtype):
    built()
    torch.manual_seed(0)
    x = (torch.randn(shape) * 3 + 10).to(dtype)  # a mean far from 0
    dims = [0] + list(range(2, x.dim()))
    want_var, want_mean = torch.var_mean(x.double(), dim=dims, correction=0)
    var, mean = channel_stats_cpu(x)
    assert var.dtype == mean.dtype == dtype
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(var.double(), want_var, rtol=tol, atol=0)
    torch.testing.assert_close(mean.double(), want_mean, rtol=tol, atol=0)
    assert channel_stats_cpu(x.half()) is None


def test_drawn_steps_gradients_equal_the_eager_kernel():
    from mmsnn.models.cpu_kernels import drawn_steps_grad_cpu
    from mmsnn.models.neurons.multistep import neuron_backward_local
    built()
    torch.manual_seed(0)
    x = torch.randn(6, 2003) * 1.5
    grad = torch.randn_like(x)
    th = torch.tensor(1.0)
    _, h_seq = neuron_forward_eager(x, th, True, True)
    steps = [1, 4]
    got = drawn_steps_grad_cpu(h_seq[steps], grad, steps, th, 2.0)
    want = torch.zeros_like(x)
    want[steps] = neuron_backward_local(h_seq[steps], grad[steps], th, 2.0,
                                        True, False)[0]
    torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-7)
    assert got[[0, 2, 3, 5]].abs().sum() == 0
