"""Adapters at the boundary between real-valued (ANN) and spiking modules.

``TimeRepeat`` (ANN -> SNN, direct encoding) and ``TimeDecode`` (SNN -> ANN)
are registered modules, so a config can put them around any stock module,
e.g. in a :class:`TimeSequential`. Both take a tensor or a tuple/list of
feature maps (a backbone's or neck's output).

Tensors that leave a spiking module still time-folded carry a small tag,
the T they were folded with (:func:`mark_time_folded`). The next spiking
module checks it (:func:`check_time_folded`), so two parts built with
different ``time_steps`` fail with a clear error instead of silently reading
a batch of ``T1*B`` rows as ``T2`` steps of ``T1*B/T2`` images.
"""
from typing import Any, Callable, Iterator, Optional

import torch
import torch.nn as nn
from mmdet.registry import MODELS
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from .time_folding import (Features, check_decode_mode, check_time_steps,
                           decode_over_time, map_features, repeat_over_time)

#: Attribute of a time-folded tensor that holds the T it was folded with.
TIME_TAG = '_mmsnn_time_steps'


def map_nested(fn: Callable[[Tensor], Tensor], feats: Any) -> Any:
    """Apply ``fn`` to every tensor of nested tuples/lists (a head's output
    is a tuple of per-level lists); anything else passes through."""
    if isinstance(feats, Tensor):
        return fn(feats)
    if isinstance(feats, (tuple, list)):
        return map_features(lambda f: map_nested(fn, f), feats)
    return feats


def _tensors(feats: Any) -> Iterator[Tensor]:
    if isinstance(feats, Tensor):
        yield feats
    elif isinstance(feats, (tuple, list)):
        for f in feats:
            yield from _tensors(f)


def mark_time_folded(feats: Any, time_steps: int) -> Any:
    """Tag every tensor of ``feats`` as folded with ``time_steps``; returns
    ``feats`` unchanged otherwise."""
    if torch.jit.is_tracing() or torch.jit.is_scripting() or \
            torch.compiler.is_compiling():
        return feats
    for t in _tensors(feats):
        setattr(t, TIME_TAG, time_steps)
    return feats


def folded_time_steps(feats: Any) -> Optional[int]:
    """The T that ``feats`` were tagged with, or None if untagged."""
    for t in _tensors(feats):
        tag = getattr(t, TIME_TAG, None)
        if tag is not None:
            return tag
    return None


def check_time_folded(feats: Any, time_steps: int, owner: str) -> None:
    """Raise if ``feats`` were folded with another T than ``time_steps``.

    Args:
        feats: The input of a module that expects time-folded tensors.
        time_steps (int): The module's T.
        owner (str): How to name the module in the error.
    """
    tag = folded_time_steps(feats)
    if tag is not None and tag != time_steps:
        raise ValueError(
            f'{owner} has time_steps={time_steps}, but its input was '
            f'time-folded with time_steps={tag} by the spiking module before '
            'it. Give every spiking part the same T (one `time_steps` '
            'variable at the top of the config).')


def check_not_folded(feats: Any, owner: str) -> None:
    """Raise if ``feats`` are already time-folded (a second encoding)."""
    tag = folded_time_steps(feats)
    if tag is not None:
        raise ValueError(
            f'{owner} repeats its input over time, but the input is already '
            f'time-folded (time_steps={tag}, from a spiking module): drop the '
            'TimeRepeat, or set encode=False.')


@MODELS.register_module()
class TimeRepeat(nn.Module):
    """ANN -> SNN: repeat real-valued features over T (direct encoding).

    Args:
        time_steps (int): T. A container or detector that owns T sets it.
            Defaults to ``DEFAULT_TIME_STEPS``.

    Shapes:
        ``[B, ...]`` (or a tuple of them) -> ``[T*B, ...]``, time-major.
    """

    def __init__(self, time_steps: int = DEFAULT_TIME_STEPS) -> None:
        super().__init__()
        self.time_steps = check_time_steps(time_steps)

    def forward(self, feats: Features) -> Features:
        check_not_folded(feats, 'TimeRepeat')
        return mark_time_folded(
            map_features(lambda x: repeat_over_time(x, self.time_steps),
                         feats), self.time_steps)

    def extra_repr(self) -> str:
        return f'time_steps={self.time_steps}'


@MODELS.register_module()
class TimeDecode(nn.Module):
    """SNN -> ANN: reduce the time axis of time-folded features.

    ``'mean'`` is the firing rate of spikes, or Current Mean Decoding (paper
    Eq. 6) when the input is the synaptic current of a non-spiking layer;
    ``'rate'`` is the same reduction; ``'sum'`` counts spikes (T x the mean).

    Args:
        mode (str): ``'mean'``, ``'rate'`` or ``'sum'``. Defaults to
            ``'mean'``.
        time_steps (int): T. A container or detector that owns T sets it.
            Defaults to ``DEFAULT_TIME_STEPS``.

    Shapes:
        ``[T*B, ...]`` (or a tuple of them) -> ``[B, ...]``.
    """

    def __init__(self,
                 mode: str = 'mean',
                 time_steps: int = DEFAULT_TIME_STEPS) -> None:
        super().__init__()
        self.mode = check_decode_mode(mode)
        self.time_steps = check_time_steps(time_steps)

    def forward(self, feats: Features) -> Features:
        check_time_folded(feats, self.time_steps, 'TimeDecode')
        return map_features(
            lambda x: decode_over_time(x, self.time_steps, self.mode), feats)

    def extra_repr(self) -> str:
        return f'mode={self.mode}, time_steps={self.time_steps}'

