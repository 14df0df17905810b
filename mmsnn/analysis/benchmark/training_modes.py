"""Training modes in the benchmark: an SNN trained by SLTT or SLTT-K against
the same SNN trained by BPTT, beside its ANN twin, in one process.

``tools/analysis_tools/benchmark_snn.py --bptt sltt 2`` builds the SNN with
``model.bptt=dict(mode='sltt', k=2)`` (:func:`bptt_cfg_options`); when the
SNN's mode is not BPTT, :func:`add_bptt_baseline` adds a copy of it trained
by BPTT (same weights, same settings) to the steps timed in turns, and
:func:`add_bptt_ratios` writes the mode's ratios against it.
"""
import copy
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch.nn as nn

from ...models.detectors import SpikingDetectorMixin
from ...models.neurons.bptt_mode import BPTT_MODES, BPTTMode
from ...utils.input_error import InputError
from .report import ratios_of
from .steps import Step


def bptt_cfg_options(values: Optional[Sequence[str]]) -> dict:
    """``--cfg-options`` for ``--bptt MODE [K]``.

    Args:
        values (Sequence[str], optional): ``['sltt']``, ``['sltt', '2']``,
            ``['full']``; None or empty for none.

    Returns:
        dict: ``{'model.bptt.mode': ..., 'model.bptt.k': ...}`` or ``{}``.

    Raises:
        InputError: For another mode, a K that is not a positive integer or
            more than two values.
    """
    if not values:
        return {}
    if len(values) > 2 or values[0] not in BPTT_MODES or (
            len(values) == 2 and not values[1].isdigit()):
        raise InputError(
            f'--bptt takes MODE [K], MODE one of {BPTT_MODES} and K a '
            f'positive integer (e.g. --bptt sltt 2), got {list(values)}')
    k = int(values[1]) if len(values) == 2 else None
    BPTTMode(values[0], k, owner='--bptt')  # the mode's own checks
    return {'model.bptt.mode': values[0], 'model.bptt.k': k}


def trains_below_bptt(model: nn.Module) -> bool:
    """Whether ``model`` is a spiking detector whose training mode is not
    back-propagation through time."""
    return isinstance(model, SpikingDetectorMixin) and \
        model.bptt.mode != 'full'


def add_bptt_baseline(steps: Dict[str, Tuple[Step, int]], snn: nn.Module,
                      step_of: Callable[[nn.Module], Step],
                      batch: int) -> Dict[str, Tuple[Step, int]]:
    """Add ``'bptt'``, a copy of ``snn`` trained by BPTT, to the benchmark's
    steps when ``snn`` trains by another mode.

    Args:
        steps (dict): ``name -> (step, images per step)``; changed in place.
        snn (nn.Module): The SNN the ``'snn'`` step runs.
        step_of (Callable): Makes the step of a model (the tool's).
        batch (int): Images per step of the SNN.

    Returns:
        dict: ``steps``.
    """
    if trains_below_bptt(snn):
        baseline = copy.deepcopy(snn)
        baseline.bptt = None
        steps['bptt'] = (step_of(baseline), batch)
    return steps


def add_bptt_ratios(result: dict, snn: nn.Module) -> dict:
    """Record the SNN's training mode in ``result`` (:func:`run_benchmark`'s)
    and, when it measured the BPTT baseline, ``bptt_ratios``: the mode's
    step time and peak memory over BPTT's (as ``ratios``)."""
    if isinstance(snn, SpikingDetectorMixin):
        result['bptt'] = snn.bptt.to_dict()
    if 'bptt' in result['models'] and 'snn' in result['models']:
        result['bptt_ratios'] = ratios_of(result['models'], 'snn', 'bptt')
    return result

