"""Cost of a spiking detector against its ANN twin, measured in one process.

The pieces of ``tools/analysis_tools/benchmark_snn.py``:

* :func:`synthetic_batch` - preprocessed random images and boxes;
* :func:`make_step` - one training step (forward, loss, backward, optimizer
  step) or one inference forward of a model, on the folded path or on the
  per-step reference path (:func:`per_step_loss`);
* :func:`time_interleaved` - median step times of several steps measured
  in turns, so that load from other processes hits all of them alike;
* :func:`peak_memory` - memory a step needs above what is held before it;
* :func:`run_benchmark` - all of it, as a JSON-ready dict with ratios.
"""
import gc
import os
import platform
import re
import statistics
import time
from contextlib import nullcontext
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.utils import ProgressBar
from torch.optim.optimizer import register_optimizer_step_pre_hook

MODES = ('train', 'infer')
PATHS = ('folded', 'per_step')

Step = Callable[[], None]


def synthetic_batch(model: nn.Module,
                    batch_size: int,
                    shape: Tuple[int, int],
                    num_boxes: int = 3,
                    seed: int = 0) -> dict:
    """Random images with random boxes, through the model's preprocessor.

    Args:
        model (nn.Module): A detector with a ``data_preprocessor``; its
            ``bbox_head.num_classes`` bounds the labels.
        batch_size (int): Number of images.
        shape (tuple[int, int]): Image height and width.
        num_boxes (int): Ground-truth boxes per image. Defaults to 3.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict: ``inputs`` ``[B, 3, H, W]`` and ``data_samples``, on the
        model's device, as the data preprocessor returns them in training.
    """
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    height, width = shape
    num_classes = getattr(getattr(model, 'bbox_head', None), 'num_classes',
                          1)
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(
            torch.randint(0, 256, (3, height, width), generator=g,
                          dtype=torch.uint8))
        sample = DetDataSample(metainfo=dict(
            img_shape=(height, width), ori_shape=(height, width),
            scale_factor=(1., 1.), pad_shape=(height, width),
            batch_input_shape=(height, width)))
        size = torch.tensor([width, height] * 2, dtype=torch.float32)
        corners = torch.rand(num_boxes, 2, 2, generator=g).sort(1).values
        sample.gt_instances = InstanceData(
            bboxes=(corners.flatten(1) * size).clamp(min=0),
            labels=torch.randint(0, num_classes, (num_boxes, ), generator=g))
        samples.append(sample)
    return model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), training=True)


def per_step_loss(model: nn.Module, inputs: torch.Tensor,
                  data_samples: list) -> dict:
    """The detector's loss computed on its per-step reference path.

    Same as ``model.loss`` but with the prediction maps of
    ``model.forward_per_step`` (T sequential single-step passes with
    stateful neurons), so that its gradients can be compared with the
    folded path's, and its cost measured.

    Args:
        model (nn.Module): A detector with ``forward_per_step`` and a
            ``bbox_head`` that has mmdet's ``loss_by_feat``.
        inputs (Tensor): Images, ``[B, 3, H, W]``.
        data_samples (list[DetDataSample]): With ``gt_instances``.

    Returns:
        dict: The losses, as ``model.loss`` returns them.
    """
    from mmdet.models.utils import unpack_gt_instances
    if not hasattr(model, 'forward_per_step'):
        raise TypeError(f'{type(model).__name__} has no forward_per_step: '
                        'the per-step reference path needs SNNYOLOV3 (or '
                        'another detector that defines it)')
    pred_maps = model.forward_per_step(inputs)
    gt_instances, gt_ignore, img_metas = unpack_gt_instances(data_samples)
    return model.bbox_head.loss_by_feat(pred_maps, gt_instances, img_metas,
                                        gt_ignore)


def autocast(device: str, amp_dtype: Optional[torch.dtype]):
    """``torch.autocast`` on ``device`` with ``amp_dtype``, or a no-op."""
    if amp_dtype is None:
        return nullcontext()
    return torch.autocast(device_type=torch.device(device).type,
                          dtype=amp_dtype)


def build_benchmark_optim_wrapper(model: nn.Module, optim_cfg: dict,
                                  device: str,
                                  amp_dtype: Optional[torch.dtype] = None
                                  ) -> OptimWrapper:
    """The config's optimizer wrapper; with ``AmpOptimWrapper`` (loss
    scaling) for float16 on CUDA."""
    cfg = dict(optim_cfg)
    if amp_dtype is torch.float16 and torch.device(device).type == 'cuda':
        cfg.update(type='AmpOptimWrapper', dtype='float16')
    elif cfg.get('type') == 'AmpOptimWrapper':
        cfg['type'] = 'OptimWrapper'  # autocast is handled by make_step
        cfg.pop('dtype', None)
        cfg.pop('loss_scale', None)
    return build_optim_wrapper(model, cfg)


def make_step(model: nn.Module,
              data: dict,
              mode: str = 'train',
              path: str = 'folded',
              optim_wrapper: Optional[OptimWrapper] = None,
              amp_dtype: Optional[torch.dtype] = None,
              device: str = 'cpu') -> Step:
    """One training step or one inference forward of ``model`` on ``data``.

    Args:
        model (nn.Module): A detector; put in train or eval mode here.
        data (dict): From :func:`synthetic_batch`.
        mode (str): ``'train'`` (forward, loss, backward, optimizer step) or
            ``'infer'`` (the network's forward, ``_forward``, under
            ``torch.no_grad``; no box post-processing, which would count the
            ANN's T x B images against the SNN's B). Defaults to 'train'.
        path (str): ``'folded'`` (the model's own forward) or ``'per_step'``
            (:meth:`forward_per_step`, the reference). Defaults to 'folded'.
        optim_wrapper (OptimWrapper, optional): Needed for ``'train'``.
        amp_dtype (torch.dtype, optional): Run under autocast with it.
        device (str): Where the model lives. Defaults to 'cpu'.

    Returns:
        Callable[[], None]: The step.
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    if path not in PATHS:
        raise ValueError(f'path must be one of {PATHS}, got {path!r}')
    inputs, samples = data['inputs'], data['data_samples']
    if mode == 'infer':
        model.eval()
        forward = model.forward_per_step if path == 'per_step' else \
            model._forward

        def infer_step():
            with torch.no_grad(), autocast(device, amp_dtype):
                forward(inputs)

        return infer_step

    if optim_wrapper is None:
        raise ValueError("mode='train' needs an optim_wrapper")
    model.train()

    def train_step():
        with optim_wrapper.optim_context(model), autocast(device, amp_dtype):
            losses = per_step_loss(model, inputs, samples) \
                if path == 'per_step' else model.loss(inputs, samples)
            loss, _ = model.parse_losses(losses)
        optim_wrapper.update_params(loss)

    return train_step


def set_module_attrs(model: nn.Module, attrs: Dict[str, object]) -> None:
    """Set each ``name: value`` on every submodule that has attribute
    ``name`` (e.g. ``backend`` of neurons, ``with_cp``, ``encode_once``).

    Raises:
        ValueError: When no submodule has one of the names.
    """
    for name, value in attrs.items():
        owners = [m for m in model.modules() if hasattr(m, name)]
        if not owners:
            raise ValueError(f'no module of {type(model).__name__} has an '
                             f'attribute {name!r} to set to {value!r}')
        for module in owners:
            setattr(module, name, value)


def synchronize(device: str) -> None:
    """Wait for queued GPU work, so that wall time covers it."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)


def time_interleaved(steps: Dict[str, Step],
                     iters: int,
                     warmup: int = 2,
                     device: str = 'cpu',
                     progress: bool = True) -> Dict[str, List[float]]:
    """Seconds per call of every step, measured in turns.

    Each round runs every step once, in alternating order (A B, B A, ...),
    so that slow phases of a shared machine and cache or allocator effects
    of the previous step hit all steps alike.

    Args:
        steps (dict[str, Callable]): Named steps.
        iters (int): Timed rounds.
        warmup (int): Untimed rounds first (compilation, allocator, caches).
            Defaults to 2.
        device (str): Synchronised around each call. Defaults to 'cpu'.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict[str, list[float]]: ``iters`` times per step.
    """
    if iters < 1 or warmup < 0:
        raise ValueError(f'need iters >= 1 and warmup >= 0, got iters='
                         f'{iters}, warmup={warmup}')
    names = list(steps)
    times: Dict[str, List[float]] = {name: [] for name in names}
    bar = ProgressBar((warmup + iters) * len(names)) if progress else None
    for i in range(warmup + iters):
        for name in names if i % 2 == 0 else names[::-1]:
            synchronize(device)
            start = time.perf_counter()
            steps[name]()
            synchronize(device)
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
            if bar is not None:
                bar.update()
    if bar is not None:
        print()
    return times


def _proc_status_kib(field: str) -> Optional[int]:
    try:
        with open('/proc/self/status') as f:
            match = re.search(rf'^{field}:\s+(\d+) kB', f.read(), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def rss_peak_delta(step: Step) -> Optional[int]:
    """Bytes by which the process's peak RSS exceeds its RSS before
    ``step`` (Linux: resets the high-water mark through
    ``/proc/self/clear_refs``); None where that is not possible.

    Coarse: the C allocator may reuse memory freed earlier (understating) and
    RSS counts everything, not only tensors.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return None
    before = _proc_status_kib('VmRSS')
    step()
    peak = _proc_status_kib('VmHWM')
    if before is None or peak is None:
        return None
    return max(0, peak - before) * 1024


def cpu_tensor_peaks(step: Step) -> Dict[str, Optional[int]]:
    """Peak bytes of CPU tensor memory allocated by ``step`` above what was
    allocated before it: over the whole step, and before its first
    optimizer step (forward and backward: activations and gradients).

    Replays the allocation and free events that the PyTorch profiler records
    (``profile_memory=True``) in time order: exact for tensors, blind to
    memory that libraries allocate outside PyTorch's allocator (oneDNN
    scratch space) and to the C allocator's caching.

    Returns:
        dict: ``peak_bytes`` and ``peak_before_optimizer_bytes`` (None when
        the step runs no optimizer).
    """
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU],
                 profile_memory=True) as prof:
        step()
    events = prof.profiler.kineto_results.events()
    optimizer_starts = [e.start_ns() for e in events
                        if e.name().startswith('Optimizer.step')]
    optimizer_start = min(optimizer_starts) if optimizer_starts else None
    allocations = sorted((e.start_ns(), e.nbytes()) for e in events
                         if e.name() == '[memory]'
                         and e.device_type().name == 'CPU')
    live = peak = 0
    peak_before = None
    for start, nbytes in allocations:
        if optimizer_start is not None and peak_before is None \
                and start >= optimizer_start:
            peak_before = peak
        live += nbytes
        peak = max(peak, live)
    if optimizer_start is not None and peak_before is None:
        peak_before = peak
    return dict(peak_bytes=peak, peak_before_optimizer_bytes=peak_before)


def cpu_tensor_peak(step: Step) -> int:
    """Peak bytes of CPU tensor memory that ``step`` allocates above what
    was allocated before it (see :func:`cpu_tensor_peaks`)."""
    return cpu_tensor_peaks(step)['peak_bytes']


def peak_memory(step: Step, device: str = 'cpu') -> dict:
    """Memory one call of ``step`` needs above what is held before it
    (weights, optimizer state, inputs): activations, gradients and
    temporaries.

    Args:
        step (Callable): Run once (twice on CPU: once profiled, once for
            RSS).
        device (str): 'cpu' or a CUDA device.

    Returns:
        dict: ``peak_bytes`` (the whole step) and
        ``peak_before_optimizer_bytes`` (forward and backward: what grows
        with T and the batch; the optimizer's temporaries scale with the
        weights alone and can dominate at small inputs), how they were
        measured; on CUDA also ``peak_total_bytes``
        (``torch.cuda.max_memory_allocated``, everything included); on CPU
        also ``rss_peak_delta_bytes``.
    """
    gc.collect()
    if torch.device(device).type == 'cuda':
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        before_optimizer = []

        def record(optimizer, args, kwargs):
            if not before_optimizer:
                before_optimizer.append(
                    torch.cuda.max_memory_allocated(device) - base)

        handle = register_optimizer_step_pre_hook(record)
        try:
            step()
        finally:
            handle.remove()
        synchronize(device)
        peak = torch.cuda.max_memory_allocated(device)
        return dict(
            peak_bytes=peak - base,
            peak_before_optimizer_bytes=before_optimizer[0]
            if before_optimizer else None,
            peak_total_bytes=peak,
            method='torch.cuda.max_memory_allocated - allocated before the '
            'step')
    result = dict(
        **cpu_tensor_peaks(step),
        method='CPU tensor allocations replayed from the profiler '
        '(profile_memory=True)')
    gc.collect()
    result['rss_peak_delta_bytes'] = rss_peak_delta(step)
    return result


def describe_device(device: str) -> str:
    """Hardware in words, e.g. ``'CPU: <model>, 2 threads (2 cores)'``."""
    if torch.device(device).type == 'cuda':
        return f'GPU: {torch.cuda.get_device_name(device)}'
    model = platform.processor() or 'unknown'
    try:
        with open('/proc/cpuinfo') as f:
            match = re.search(r'^model name\s*:\s*(.+)$', f.read(), re.M)
        model = match.group(1).strip() if match else model
    except OSError:
        pass
    return (f'CPU: {model}, {torch.get_num_threads()} threads '
            f'({os.cpu_count()} cores visible)')


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def run_benchmark(steps: Dict[str, Tuple[Step, int]],
                  ratio: Sequence[str],
                  iters: int = 10,
                  warmup: int = 2,
                  device: str = 'cpu',
                  measure_memory: bool = True,
                  progress: bool = True) -> dict:
    """Time (interleaved) and measure the memory of named steps.

    Args:
        steps (dict[str, tuple[Callable, int]]): ``name -> (step, images
            per step)``.
        ratio (Sequence[str]): ``(numerator, denominator)`` names for the
            ``ratios`` entry, e.g. ``('snn', 'ann')``.
        iters, warmup, device, progress: As :func:`time_interleaved`.
        measure_memory (bool): Also run :func:`peak_memory` once per step,
            after the timing. Defaults to True.

    Returns:
        dict: ``models`` (per step: ``images_per_step``, ``times_s``,
        ``step_time_median_s``, ``step_time_min_s``, ``throughput_img_s``,
        ``peak_memory``) and ``ratios`` (numerator / denominator of the
        median and the minimum step time and of the peak memories; a time
        ratio is what the numerator costs per step, not per image).
    """
    num, den = ratio
    if num not in steps or den not in steps:
        raise KeyError(f'ratio names {ratio} must be among the steps '
                       f'{list(steps)}')
    times = time_interleaved({k: v[0] for k, v in steps.items()}, iters,
                             warmup, device, progress)
    models = {}
    for name, (step, images) in steps.items():
        median = statistics.median(times[name])
        models[name] = dict(
            images_per_step=images,
            times_s=[round(t, 6) for t in times[name]],
            step_time_median_s=median,
            step_time_min_s=min(times[name]),
            throughput_img_s=images / median,
            peak_memory=peak_memory(step, device) if measure_memory else None)
    a, b = models[num], models[den]

    def memory(key):
        return _ratio(*[m['peak_memory'][key] if m['peak_memory'] else None
                        for m in (a, b)])

    return dict(
        models=models,
        ratios=dict(
            numerator=num,
            denominator=den,
            step_time_median=_ratio(a['step_time_median_s'],
                                    b['step_time_median_s']),
            step_time_min=_ratio(a['step_time_min_s'], b['step_time_min_s']),
            peak_memory=memory('peak_bytes'),
            peak_memory_before_optimizer=memory(
                'peak_before_optimizer_bytes')))
