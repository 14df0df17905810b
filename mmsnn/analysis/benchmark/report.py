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


def format_benchmark(result: dict) -> str:
    """A benchmark's result as a few lines of text: the setting, a table of
    the steps (images per step, median and minimum step time, throughput,
    peak memory and before the optimizer step) and the ratios.

    Args:
        result (dict): From :func:`run_benchmark`, with ``device``,
            ``mode``, ``time_steps``, ``batch``, ``shape``, ``amp``,
            ``neuron_backend`` and ``with_cp`` (as
            :func:`~mmsnn.analysis.benchmark.benchmark_snn` gives it).

    Returns:
        str: The lines, without a final line break.
    """
    lines = [
        f"{result['device']}, mode={result['mode']}, T="
        f"{result['time_steps']}, B={result['batch']}, shape="
        f"{result['shape']}, amp={result['amp']}, neuron backend="
        f"{result['neuron_backend']}, with_cp={result['with_cp']}",
        f"{'':10s}{'imgs/step':>10s}{'median s':>10s}{'min s':>10s}"
        f"{'imgs/s':>10s}{'peak MiB':>10s}{'fwd+bwd':>10s}"
    ]

    def mib(mem, key):
        value = mem[key] if mem else None
        return f"{'-':>10s}" if value is None else f'{value / 2**20:10.1f}'

    for name, m in result['models'].items():
        mem = m['peak_memory']
        lines.append(
            f"{name:10s}{m['images_per_step']:10d}"
            f"{m['step_time_median_s']:10.4f}{m['step_time_min_s']:10.4f}"
            f"{m['throughput_img_s']:10.2f}{mib(mem, 'peak_bytes')}"
            f"{mib(mem, 'peak_before_optimizer_bytes')}")
    r = result['ratios']
    lines.append(_ratio_line(f"{r['numerator']} / {r['denominator']}", r))
    if 'bptt_ratios' in result:
        lines.append(_ratio_line(f"training mode {result['bptt']} / BPTT",
                                 result['bptt_ratios']))
    return '\n'.join(lines)


def _ratio_line(label: str, r: dict) -> str:
    """One line of :func:`ratios_of`'s ratios, after ``label``."""

    def fmt(x):
        return 'n/a' if x is None else f'{x:.3f}'

    return (f"{label}: step time (median) {fmt(r['step_time_median'])}, "
            f"(min) {fmt(r['step_time_min'])}; peak memory "
            f"{fmt(r['peak_memory'])}, before the optimizer step "
            f"{fmt(r['peak_memory_before_optimizer'])}")
