"""Who knows T: one owner sets it, once, on every time-aware module.

A module is *time-aware* when it has a ``time_steps`` attribute: neurons,
the time adapters, spiking backbones / necks / heads, containers and
spiking detectors. An *owner* of T (a :class:`TimeStepsMixin`: a spiking
detector, :class:`TimeSequential`, a ``Spikify``'d module, a spiking
backbone, neck or head) hands its T to every time-aware module inside it.

Setting T is one walk over the owner's modules that writes each one's own
value once (:func:`set_time_steps`); owners inside an owner are written
like any other module, their setters are not called, so nothing recurses
and no module is written twice. While an owner builds its parts
(:func:`owner_builds_parts`), the parts keep the T they were given to
themselves and walk nothing: the owner sets T on all of them once built.
So a part inside an owner needs no ``time_steps`` of its own; a part that
states one is overridden by its owner.

Stock mmdet detectors own no T. Either use the spiking version of the
detector (:mod:`mmsnn.models.detectors`, one ``model.time_steps``), or
give each spiking part the config's top-level ``time_steps``
(:mod:`.config`).
"""
import threading
from contextlib import contextmanager
from typing import Iterator, Tuple

import torch.nn as nn

from .folding import check_time_steps

_BUILDING = threading.local()


def _building_depth() -> int:
    return getattr(_BUILDING, 'depth', 0)


@contextmanager
def owner_builds_parts() -> Iterator[None]:
    """Within this context, owners of T being built store their T on
    themselves only; the enclosing owner sets T on all of them afterwards
    (``self.time_steps = time_steps`` after the context)."""
    _BUILDING.depth = _building_depth() + 1
    try:
        yield
    finally:
        _BUILDING.depth -= 1


def _write_time_steps(module: nn.Module, time_steps: int) -> None:
    """Store ``time_steps`` on ``module`` alone (no walk, no setter)."""
    if isinstance(module, TimeStepsMixin):
        module._time_steps = time_steps
    else:
        module.time_steps = time_steps


def set_time_steps(model: nn.Module, time_steps: int) -> None:
    """Set T once on every time-aware module of ``model`` (itself included).

    One walk over ``model.modules()`` (which visits a shared module once);
    owners of T inside are written directly, not through their setters.

    Args:
        model (nn.Module): Any model.
        time_steps (int): T, a positive integer.
    """
    check_time_steps(time_steps)
    for module in model.modules():
        # an owner being built has no T yet (its getter raises)
        if isinstance(module, TimeStepsMixin) or hasattr(module, 'time_steps'):
            _write_time_steps(module, time_steps)


def time_steps_of(model: nn.Module) -> Tuple[int, ...]:
    """The distinct T values found in ``model``'s time-aware modules."""
    return tuple(sorted({m.time_steps for m in model.modules()
                         if hasattr(m, 'time_steps')}))


class TimeStepsMixin:
    """For modules that own T for their parts (backbone, neck, head,
    detector, containers): setting ``time_steps`` sets it once on every
    time-aware module inside (:func:`set_time_steps`), so parts never
    disagree. While an enclosing owner builds it, it stores its own T only
    (see :func:`owner_builds_parts`)."""

    @property
    def time_steps(self) -> int:
        return self._time_steps

    @time_steps.setter
    def time_steps(self, value: int) -> None:
        check_time_steps(value)
        if _building_depth():
            _write_time_steps(self, value)  # the enclosing owner walks
        else:
            set_time_steps(self, value)

