"""The time layer: how T travels between modules, and who sets it.

A leaf of functions and one mixin that every spiking part imports and that
imports nothing of :mod:`mmsnn.models` (as spikingjelly's ``functional``):
:mod:`.folding` (the ``[T*B, ...]`` layout, encoding, decoding, T tags),
:mod:`.owner` (one owner sets T on every time-aware module) and
:mod:`.config` (T written into a model config).
"""
from .config import apply_time_steps_option, set_config_time_steps
from .folding import (DECODE_MODES, check_decode_mode, check_not_folded,
                      check_time_folded, check_time_steps, decode_over_time,
                      fold_time, folded_time_steps, map_features, map_nested,
                      mark_time_folded, repeat_over_time, unfold_time)
from .owner import (TimeStepsMixin, owner_builds_parts, set_time_steps,
                    time_steps_of)

__all__ = [
    'DECODE_MODES', 'check_decode_mode', 'check_not_folded',
    'check_time_folded', 'check_time_steps', 'decode_over_time', 'fold_time',
    'folded_time_steps', 'map_features', 'map_nested', 'mark_time_folded',
    'repeat_over_time', 'unfold_time', 'TimeStepsMixin', 'owner_builds_parts',
    'set_time_steps', 'time_steps_of', 'apply_time_steps_option',
    'set_config_time_steps'
]
