"""All of a benchmark, as a JSON-ready dict with SNN / ANN ratios."""
import statistics
from typing import Dict, Optional, Sequence, Tuple

from .memory import peak_memory
from .steps import Step
from .timing import time_interleaved


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
    return dict(models=models, ratios=ratios_of(models, num, den))


def ratios_of(models: Dict[str, dict], num: str, den: str) -> dict:
    """Ratios of two measured steps of :func:`run_benchmark`'s ``models``:
    median and minimum step time, peak memory (whole step and before the
    optimizer step), ``num / den``."""
    a, b = models[num], models[den]

    def memory(key):
        return _ratio(*[m['peak_memory'][key] if m['peak_memory'] else None
                        for m in (a, b)])

    return dict(
        numerator=num,
        denominator=den,
        step_time_median=_ratio(a['step_time_median_s'],
                                b['step_time_median_s']),
        step_time_min=_ratio(a['step_time_min_s'], b['step_time_min_s']),
        peak_memory=memory('peak_bytes'),
        peak_memory_before_optimizer=memory('peak_before_optimizer_bytes'))
