"""Step times measured in turns, and the hardware they were measured on.

:func:`time_interleaved` measures several steps in alternating order, so
that load from other processes hits all of them alike.
"""
import os
import platform
import re
import time
from typing import Dict, List

import torch
from mmengine.utils import ProgressBar

from .steps import Step


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
