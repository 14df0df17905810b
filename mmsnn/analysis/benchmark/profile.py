"""Where a step's time goes: operators' self CPU time, grouped, per step.

:func:`profile_step` runs a step (:func:`~.steps.make_step`) a few times
under ``torch.profiler`` and returns, per step, every operator's self CPU
time, their sum in groups (:data:`OPERATOR_GROUPS`: calls into
``torch.compile``'d code, convolutions, BatchNorm, neurons (everything
inside a neuron's forward, and the neurons' backward), the ANN's
activations, the optimizer, pooling, elementwise arithmetic, copies and
reshapes) and the forward time of the detector's parts
(backbone, neck, head, inclusive). Two profiles side by side
(:func:`profile_difference`) say where an SNN's step spends more than its
ANN twin's.

The profiler's own overhead is in every operator alike; the numbers are
shares and differences, the step time itself is the timing's (the
benchmark's interleaved rounds).
"""
import re
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple

import torch.nn as nn
from torch.autograd.profiler import record_function
from torch.profiler import ProfilerActivity, profile

from ...models.neurons import membrane_modules
from .steps import Step

#: ``(group, pattern)`` in order: an operator (a profiler event's name)
#: belongs to the first group whose pattern it matches, else to ``other``;
#: what runs inside a neuron's forward is ``neurons`` whatever its name,
#: except the calls into ``torch.compile``'d code (:func:`profile_step`).
#: The neurons' backward is mmsnn's autograd functions
#: (``NeuronMultiStepBackward``) and their compiled graphs (only the
#: neurons are compiled by default); ``torch.compile calls`` is what
#: entering compiled code costs (guards, wrappers), apart from its kernels.
OPERATOR_GROUPS: Tuple[Tuple[str, str], ...] = (
    ('torch.compile calls', r'Torch-Compiled Region|Dynamo|Pregraph|'
     r'AOTDispatcher'),
    ('convolution', r'conv|Conv'),
    ('batch norm', r'batch_norm|BatchNorm'),
    ('neurons', r'^Neuron|CompiledFxGraph|_STBPLIF|RectangularSpike'),
    ('activation (ANN)', r'relu|Relu|silu|Silu'),
    ('optimizer', r'Optimizer|_foreach|linalg_vector_norm|clip_grad'),
    ('pooling and upsampling', r'pool|upsample'),
    ('elementwise', r'^aten::(add|sub|rsub|mul|div|neg|pow|sqrt|rsqrt|exp|'
     r'log|sigmoid|tanh|clamp|where|ge|gt|lt|le|eq|ne|abs|sum|mean|max|min|'
     r'floor|round|sign|heaviside|atan|lerp)(_|$)'),
    ('copies and reshapes', r'^(aten::)?(copy|cat|stack|repeat|expand|'
     r'clone|contiguous|view|reshape|select|slice|index|empty|zero|zeros|'
     r'fill|transpose|permute|flatten|unflatten|unbind|split|chunk|to|'
     r'_to_copy|_unsafe_view|as_strided|unsqueeze|squeeze|narrow|alias|'
     r'resize|detach|t)(_|$)'),
)
OTHER = 'other'
COMPILE_CALLS = OPERATOR_GROUPS[0][0]
#: The detector's parts whose forward gets a scope of its own.
PARTS = ('backbone', 'neck', 'bbox_head')
#: The scope of every neuron's (every membrane module's) forward.
NEURONS = 'neurons'
SCOPE = 'mmsnn::'


def operator_group(name: str) -> str:
    """The :data:`OPERATOR_GROUPS` group of an operator (``'other'``)."""
    for group, pattern in OPERATOR_GROUPS:
        if re.search(pattern, name):
            return group
    return OTHER


def _scoped_modules(model: Optional[nn.Module]):
    """``(scope, module)`` for each part of :data:`PARTS` that ``model``
    has and each of its membrane modules (scope :data:`NEURONS`)."""
    if model is None:
        return []
    found = [(name, getattr(model, name)) for name in PARTS
             if isinstance(getattr(model, name, None), nn.Module)]
    return found + [(NEURONS, m) for _, m in membrane_modules(model)]


@contextmanager
def part_scopes(model: Optional[nn.Module]) -> Iterator[None]:
    """Within this context each part of :data:`PARTS` that ``model`` has
    runs its forward inside a profiler scope ``mmsnn::<part>``, and each
    neuron (:class:`~mmsnn.models.neurons.BaseMembraneModule`) inside
    ``mmsnn::neurons``.

    The scope wraps the module's ``forward`` itself (an instance
    attribute, removed on exit), so direct ``part.forward(...)`` calls, as
    mmdet's ``_forward`` makes them, are scoped too.
    """
    patched = []
    for scope, module in _scoped_modules(model):
        if 'forward' in module.__dict__ or module in patched:
            continue

        def scoped(*args, _forward=module.forward, _scope=scope, **kwargs):
            with record_function(SCOPE + _scope):
                return _forward(*args, **kwargs)

        module.forward = scoped
        patched.append(module)
    try:
        yield
    finally:
        for module in patched:
            del module.forward


def _in_neurons(event) -> bool:
    """Whether a profiler event runs inside a neuron's forward."""
    parent = event.cpu_parent
    while parent is not None:
        if parent.name == SCOPE + NEURONS:
            return True
        parent = parent.cpu_parent
    return False


def profile_step(step: Step, steps: int = 3,
                 model: Optional[nn.Module] = None,
                 top: int = 15) -> dict:
    """Profile ``steps`` calls of ``step`` (warm already).

    Args:
        step (Callable): One training step or inference forward.
        steps (int): Profiled calls. Defaults to 3.
        model (nn.Module, optional): The detector the step runs, for the
            forward time of its parts and to put what runs inside its
            neurons' forward in ``neurons``; None: neither.
        top (int): How many operators to keep by self time. Defaults to 15.

    Returns:
        dict: Per step, in ms: ``self_cpu_ms`` (all events' self time),
        ``groups`` (self time per :data:`OPERATOR_GROUPS` group, and
        ``other``), ``parts_forward_ms`` (inclusive forward time of each
        part) and ``operators`` (the ``top`` operators, name -> ms).
    """
    if steps < 1:
        raise ValueError(f'steps must be >= 1, got {steps}')
    with part_scopes(model), profile(
            activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    groups = {group: 0. for group, _ in OPERATOR_GROUPS + ((OTHER, ''), )}
    ops: Dict[str, float] = {}
    parts: Dict[str, float] = {}
    for event in prof.events():
        ms = event.self_cpu_time_total / 1e3 / steps
        name = event.name
        if name.startswith(SCOPE):
            scope = name[len(SCOPE):]
            if scope in PARTS:
                parts[scope] = parts.get(scope, 0.) + \
                    event.cpu_time_total / 1e3 / steps
            groups[NEURONS if scope == NEURONS else OTHER] += ms
            continue
        ops[name] = ops.get(name, 0.) + ms
        group = operator_group(name)
        if group != COMPILE_CALLS and _in_neurons(event):
            group = NEURONS
        groups[group] += ms
    ranked = sorted(ops.items(), key=lambda item: -item[1])[:top]
    return dict(self_cpu_ms=sum(groups.values()), groups=groups,
                parts_forward_ms=parts, operators=dict(ranked),
                steps=steps)


def profile_difference(a: dict, b: dict) -> List[Tuple[str, float, float]]:
    """``(group, a's ms, b's ms)`` per group and ``'total'``, largest
    difference first (two :func:`profile_step` results)."""
    rows = [(group, a['groups'][group], b['groups'][group])
            for group in a['groups']]
    rows.sort(key=lambda row: -abs(row[1] - row[2]))
    return rows + [('total', a['self_cpu_ms'], b['self_cpu_ms'])]


def parts_difference(a: dict, b: dict
                     ) -> List[Tuple[str, Optional[float], Optional[float]]]:
    """``(part, a's ms, b's ms)`` of each part's forward in :data:`PARTS`
    order (None where a profile has no such part)."""
    return [(part, a['parts_forward_ms'].get(part),
             b['parts_forward_ms'].get(part)) for part in PARTS]


def format_profile(profiles: Dict[str, dict], num: str, den: str) -> str:
    """Two profiles as lines of text: the groups' self time per step of
    ``num`` and ``den`` and their difference, then each part's forward.

    Args:
        profiles (dict[str, dict]): :func:`profile_step` results by name.
        num (str): The model measured (e.g. ``'snn'``).
        den (str): What it is compared with (e.g. ``'ann'``).
    """
    a, b = profiles[num], profiles[den]
    lines = [f'where the time goes (self CPU ms per step, profiled '
             f'{a["steps"]} steps each):',
             f"{'':22s}{num:>10s}{den:>10s}{'difference':>12s}"]
    for group, x, y in profile_difference(a, b):
        lines.append(f'{group:22s}{x:10.1f}{y:10.1f}{x - y:+12.1f}')
    for part, x, y in parts_difference(a, b):
        if x is not None and y is not None:
            lines.append(f'{part + " forward":22s}{x:10.1f}{y:10.1f}'
                         f'{x - y:+12.1f}')
    return '\n'.join(lines)
