"""Adapters at the boundary between real-valued (ANN) and spiking modules.

``TimeRepeat`` (ANN -> SNN, direct encoding) and ``TimeDecode`` (SNN -> ANN)
are registered modules, so a config can put them around any stock module,
e.g. in a :class:`TimeSequential`. Both take a tensor or a tuple/list of
feature maps (a backbone's or neck's output).

The T tags they check and set are defined in
:mod:`mmsnn.models.time.folding`.
"""
from typing import Optional

import torch.nn as nn
from mmdet.registry import MODELS

from ..defaults import DEFAULT_TIME_STEPS
from ..time.folding import (Features, check_not_folded, check_time_folded,
                             check_time_steps, decode_over_time, map_features,
                             mark_time_folded, repeat_over_time,
                             resolve_decode_mode)


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
        decode_mode (str): ``'mean'``, ``'rate'`` or ``'sum'``. Defaults to
            ``'mean'``.
        time_steps (int): T. A container or detector that owns T sets it.
            Defaults to ``DEFAULT_TIME_STEPS``.
        mode (str, optional): Deprecated name of ``decode_mode`` (old
            configs; warns).

    Shapes:
        ``[T*B, ...]`` (or a tuple of them) -> ``[B, ...]``.
    """

    def __init__(self,
                 decode_mode: Optional[str] = None,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 mode: Optional[str] = None) -> None:
        super().__init__()
        self.decode_mode = resolve_decode_mode(decode_mode, mode, 'mode',
                                               'TimeDecode')
        self.time_steps = check_time_steps(time_steps)

    @property
    def mode(self) -> str:
        """Deprecated alias of :attr:`decode_mode`."""
        return self.decode_mode

    def forward(self, feats: Features) -> Features:
        check_time_folded(feats, self.time_steps, 'TimeDecode')
        return map_features(
            lambda x: decode_over_time(x, self.time_steps, self.decode_mode),
            feats)

    def extra_repr(self) -> str:
        return f'decode_mode={self.decode_mode}, time_steps={self.time_steps}'
