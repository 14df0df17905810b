"""Record the activity (spikes, spike counts) crossing module boundaries.

:class:`ActivityRecorder` puts forward hooks on chosen modules and sums what
flows out of them (neurons: their spikes, so the firing rate) or into them
(convs: the spikes, spike counts or real values they are fed). It keeps one
record per *module*: a module that serves several layers (a neuron reused in
a generic spiking block) accumulates over all its calls.
"""
import math
from dataclasses import asdict, dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor

WHERE = ('output', 'input')

#: What a layer is fed, as :meth:`ActivityStats.kind` names it.
REAL_VALUED, SPIKES, SPIKE_COUNTS = 'real-valued', 'spikes', 'spike counts'


@dataclass
class ActivityStats:
    """What one module saw, summed over its calls.

    Attributes:
        calls (int): Forward calls.
        rows (int): Leading-dimension rows, summed over calls: ``T*B`` for a
            layer on time-folded input, ``B`` for one that runs once (the
            encoding conv).
        total (float): Sum of all values (spikes for binary tensors).
        numel (int): Number of values.
        max_value (float): Largest value seen.
        integer_valued (bool): Every value seen was a non-negative integer
            (binary spikes or spike counts). Only checked with
            ``check_values=True``; otherwise assumed.
    """
    calls: int = 0
    rows: int = 0
    total: float = 0.
    numel: int = 0
    max_value: float = 0.
    integer_valued: bool = True

    @property
    def rate(self) -> float:
        """Mean value: the firing rate (spikes per neuron per step) for
        spikes; the mean count for spike counts. NaN before any call."""
        return self.total / self.numel if self.numel else math.nan

    @property
    def kind(self) -> str:
        """``'spikes'``, ``'spike counts'`` (e.g. residual sums, values
        0, 1, 2, ...) or ``'real-valued'``."""
        if not self.integer_valued:
            return REAL_VALUED
        return SPIKES if self.max_value <= 1 else SPIKE_COUNTS

    def update(self, x: Tensor, check_values: bool) -> None:
        """Add one call's tensor ``x`` (any shape, rows first)."""
        x = x.detach()
        self.calls += 1
        self.rows += x.shape[0] if x.dim() else 1
        self.numel += x.numel()
        if not x.numel():
            return
        self.total += x.sum(dtype=torch.float64).item()
        self.max_value = max(self.max_value, x.max().item())
        if check_values and self.integer_valued:
            self.integer_valued = bool(x.min().item() >= 0
                                       and torch.equal(x, x.round()))

    def as_dict(self) -> dict:
        return dict(asdict(self), rate=self.rate, kind=self.kind)


def stage_of(name: str, split: Sequence[str] = ('backbone', )) -> str:
    """The stage a module belongs to, from its qualified name.

    The first name component (``'neck'``, ``'bbox_head'``) is the stage,
    except for components in ``split``, whose children are stages
    (``'backbone.conv_res_block3'``; the encoding layer is
    ``'backbone.conv1'``).

    Args:
        name (str): Qualified module name, e.g.
            ``'backbone.conv_res_block3.res0.conv1.activate'``.
        split (Sequence[str]): Components reported per child.
            Defaults to ``('backbone',)``.
    """
    parts = name.split('.')
    depth = 2 if parts[0] in split else 1
    return '.'.join(parts[:depth])


class ActivityRecorder:
    """Forward hooks that record what flows out of (or into) modules.

    Use as a context manager or call :meth:`attach` / :meth:`remove`.
    Records survive :meth:`remove` until :meth:`reset`.

    Args:
        modules (Iterable[tuple[str, nn.Module]]): ``(name, module)`` pairs,
            e.g. ``spiking_modules(model)``. A module listed twice is hooked
            once, under its first name.
        where (str): ``'output'`` (firing rates of neurons) or ``'input'``
            (the first positional input, e.g. what a conv is fed).
            Defaults to ``'output'``.
        check_values (bool): Check whether values are non-negative integers
            (spikes/counts) or real. Costs a pass over each tensor; neuron
            outputs are binary anyway. Defaults to False.

    Example:
        >>> with ActivityRecorder(spiking_modules(model)) as rec:
        ...     model(inputs, mode='tensor')
        >>> rec.rates()  # {'backbone.conv1.activate': 0.12, ...}
    """

    def __init__(self,
                 modules: Iterable[Tuple[str, nn.Module]],
                 where: str = 'output',
                 check_values: bool = False) -> None:
        if where not in WHERE:
            raise ValueError(f'ActivityRecorder: where must be one of {WHERE}'
                             f', got {where!r}')
        self.where = where
        self.check_values = check_values
        self.modules: Dict[str, nn.Module] = {}
        seen = set()
        for name, module in modules:
            if id(module) not in seen:
                seen.add(id(module))
                self.modules[name] = module
        self.stats: Dict[str, ActivityStats] = {}
        self._handles = []
        self.reset()

    def reset(self) -> None:
        """Forget everything recorded (hooks stay as they are)."""
        self.stats = {name: ActivityStats() for name in self.modules}

    def attach(self) -> 'ActivityRecorder':
        """Register the forward hooks (idempotent)."""
        if self._handles:
            return self
        for name, module in self.modules.items():
            if self.where == 'output':
                hook = self._output_hook(name)
                self._handles.append(module.register_forward_hook(hook))
            else:
                hook = self._input_hook(name)
                self._handles.append(module.register_forward_pre_hook(hook))
        return self

    def remove(self) -> None:
        """Remove the hooks; records are kept."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    def _output_hook(self, name: str):
        """Record ``output`` (a neuron's spikes)."""

        def hook(module, args, output):
            if isinstance(output, Tensor):
                self.stats[name].update(output, self.check_values)

        return hook

    def _input_hook(self, name: str):
        """Record the first positional input (what a layer is fed)."""

        def hook(module, args):
            if args and isinstance(args[0], Tensor):
                self.stats[name].update(args[0], self.check_values)

        return hook

    def __enter__(self) -> 'ActivityRecorder':
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.remove()

    def rates(self, skip_unused: bool = True) -> Dict[str, float]:
        """Mean value per module (the firing rate for neuron outputs).

        Args:
            skip_unused (bool): Leave out modules never called.
        """
        return {
            name: s.rate
            for name, s in self.stats.items() if s.numel or not skip_unused
        }

    def stage_rates(self,
                    split: Sequence[str] = ('backbone', )) -> Dict[str, float]:
        """Firing rate per stage (:func:`stage_of`): total spikes over total
        (neuron, step) pairs of the stage's modules, so large layers weigh
        more, as they do in the spike (and energy) budget."""
        totals: Dict[str, list] = {}
        for name, s in self.stats.items():
            if s.numel:
                acc = totals.setdefault(stage_of(name, split), [0., 0])
                acc[0] += s.total
                acc[1] += s.numel
        return {stage: t / n for stage, (t, n) in totals.items()}

    def mean_rate(self) -> Optional[float]:
        """The network's firing rate: all spikes over all (neuron, step)
        pairs; None before any call."""
        total = sum(s.total for s in self.stats.values())
        numel = sum(s.numel for s in self.stats.values())
        return total / numel if numel else None
