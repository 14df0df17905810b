"""Memory a step needs above what is held before it (CPU and CUDA)."""
import gc
import re
from typing import Dict, Optional

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from .steps import Step
from .timing import synchronize


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
