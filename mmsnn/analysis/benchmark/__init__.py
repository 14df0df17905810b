"""Cost of a spiking detector against its ANN twin, measured in one process.

The pieces of ``tools/analysis_tools/benchmark_snn.py``, one concern a
file:

* :mod:`.steps` - synthetic data and one train / inference step
  (:func:`synthetic_batch`, :func:`make_step`, :func:`per_step_loss`);
* :mod:`.timing` - :func:`time_interleaved`, median step times of several
  steps measured in turns, and :func:`describe_device`;
* :mod:`.memory` - :func:`peak_memory`, memory a step needs above what is
  held before it;
* :mod:`.report` - :func:`run_benchmark`, all of it as a JSON-ready dict
  with ratios, and :func:`format_benchmark`, the same as text;
* :mod:`.profile` - :func:`profile_step`, where a step's time goes (the
  operators' self CPU time by group, the parts' forward), and
  :func:`format_profile`, two profiles side by side;
* :mod:`.comparison` - :func:`benchmark_snn`, an SNN config's model against
  its ANN twin, a changed copy of itself or its per-step path
  (:class:`Comparison`).
"""
from .comparison import (AMP_DTYPES, Comparison, autocast_dtype,
                         benchmark_snn)
from .memory import (cpu_tensor_peak, cpu_tensor_peaks, peak_memory,
                     rss_peak_delta)
from .profile import (OPERATOR_GROUPS, format_profile, operator_group,
                      parts_difference, profile_difference, profile_step)
from .report import format_benchmark, run_benchmark
from .steps import (MODES, PATHS, Step, autocast,
                    build_benchmark_optim_wrapper, make_step, per_step_loss,
                    set_module_attrs, synthetic_batch)
from .timing import describe_device, synchronize, time_interleaved

__all__ = [
    'cpu_tensor_peak', 'cpu_tensor_peaks', 'peak_memory', 'rss_peak_delta',
    'run_benchmark', 'format_benchmark', 'AMP_DTYPES', 'Comparison',
    'autocast_dtype', 'benchmark_snn', 'MODES', 'PATHS', 'Step', 'autocast',
    'build_benchmark_optim_wrapper', 'make_step', 'per_step_loss',
    'set_module_attrs', 'synthetic_batch', 'describe_device', 'synchronize',
    'time_interleaved', 'OPERATOR_GROUPS', 'format_profile',
    'operator_group', 'parts_difference', 'profile_difference',
    'profile_step'
]
