import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.analysis.benchmark import (cpu_tensor_peak, cpu_tensor_peaks,
                                      make_step,
                                      per_step_loss, run_benchmark,
                                      set_module_attrs, synthetic_batch,
                                      time_interleaved)
from tests.conftest import tiny_snn_yolov3_cfg


@pytest.fixture(scope='module')
def tiny():
    torch.manual_seed(0)
    return MODELS.build(tiny_snn_yolov3_cfg(time_steps=2))


def test_synthetic_batch_is_what_a_loader_gives(tiny):
    data = synthetic_batch(tiny, 3, (64, 96), num_boxes=4)
    assert data['inputs'].shape == (3, 3, 64, 96)
    assert data['inputs'].dtype == torch.float32
    for sample in data['data_samples']:
        boxes = sample.gt_instances.bboxes
        assert boxes.shape == (4, 4)
        assert (boxes[:, 2:] >= boxes[:, :2]).all()
        assert boxes[:, 0::2].max() <= 96 and boxes[:, 1::2].max() <= 64
        assert sample.gt_instances.labels.max() < tiny.bbox_head.num_classes


def test_time_interleaved_alternates_order():
    calls = []
    steps = dict(a=lambda: calls.append('a'), b=lambda: calls.append('b'))
    times = time_interleaved(steps, iters=3, warmup=1, progress=False)
    assert calls == ['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']
    assert [len(t) for t in times.values()] == [3, 3]
    with pytest.raises(ValueError, match='iters'):
        time_interleaved(steps, iters=0)


def test_cpu_tensor_peak_replays_allocations():
    def step():
        a = torch.empty(2**18)  # 1 MiB
        b = torch.empty(2**19)  # 2 MiB: peak 3 MiB
        del a, b
        c = torch.empty(2**18)  # 1 MiB again, after the frees
        del c

    assert cpu_tensor_peak(step) == 3 * 2**20


def test_peak_before_the_optimizer_step():
    weight = torch.zeros(2**18, requires_grad=True)  # 1 MiB
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9,
                                weight_decay=0.1)
    optimizer.step()  # momentum buffer exists before the measurement

    def step():
        # the product dies after sum(); backward leaves a 1 MiB gradient
        (weight * 2).sum().backward()
        optimizer.step()  # weight decay: grad + wd * weight, 1 MiB more
        optimizer.zero_grad()

    peaks = cpu_tensor_peaks(step)
    assert peaks['peak_before_optimizer_bytes'] == pytest.approx(2**20,
                                                                 abs=1024)
    assert peaks['peak_bytes'] >= 2 * 2**20
    assert cpu_tensor_peaks(lambda: torch.empty(8))[
        'peak_before_optimizer_bytes'] is None


def test_run_benchmark_ratios():
    steps = dict(slow=(lambda: torch.empty(2**18).fill_(1), 1),
                 fast=(lambda: None, 6))
    result = run_benchmark(steps, ('slow', 'fast'), iters=2, warmup=0,
                           progress=False)
    slow, fast = result['models']['slow'], result['models']['fast']
    assert slow['peak_memory']['peak_bytes'] == 2**20
    assert fast['peak_memory']['peak_bytes'] == 0
    assert result['ratios']['peak_memory'] is None  # no division by 0
    assert result['ratios']['peak_memory_before_optimizer'] is None
    assert result['ratios']['step_time_median'] == pytest.approx(
        slow['step_time_median_s'] / fast['step_time_median_s'])
    assert fast['throughput_img_s'] == pytest.approx(
        6 / fast['step_time_median_s'])
    with pytest.raises(KeyError, match='ratio'):
        run_benchmark(steps, ('slow', 'ann'), iters=1)


def test_set_module_attrs(tiny):
    set_module_attrs(tiny, dict(backend='autograd'))
    assert {m.backend for m in tiny.modules() if hasattr(m, 'backend')} \
        == {'autograd'}
    set_module_attrs(tiny, dict(backend='fused'))
    with pytest.raises(ValueError, match="'with_cpp'"):
        set_module_attrs(tiny, dict(with_cpp=True))


def test_make_step_modes_and_errors(tiny):
    data = synthetic_batch(tiny, 1, (64, 64))
    before = [p.clone() for p in tiny.parameters()]
    with pytest.raises(ValueError, match='optim_wrapper'):
        make_step(tiny, data, 'train')
    with pytest.raises(ValueError, match="'predict'"):
        make_step(tiny, data, 'predict')
    make_step(tiny, data, 'infer', path='per_step')()
    assert not tiny.training
    assert all(torch.equal(a, b) for a, b in zip(before, tiny.parameters()))


def test_per_step_loss_needs_forward_per_step(tiny):
    data = synthetic_batch(tiny, 1, (64, 64))
    losses = per_step_loss(tiny, data['inputs'], data['data_samples'])
    assert set(losses) == set(tiny.loss(data['inputs'],
                                        data['data_samples']))
    with pytest.raises(TypeError, match='forward_per_step'):
        per_step_loss(torch.nn.Identity(), data['inputs'],
                      data['data_samples'])
