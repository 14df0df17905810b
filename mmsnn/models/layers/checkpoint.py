"""Activation checkpointing that is exact for spiking stages.

A checkpointed stage keeps only its input for backward and runs again
(recomputes) when backward reaches it, trading time for memory. Two things
make a plain ``torch.utils.checkpoint`` inexact here, and
:func:`checkpoint_call` handles both:

* BatchNorm in training mode would update its running statistics a second
  time during the recomputation: they are frozen then (momentum 0, and the
  batch counter restored), so they move exactly as without checkpointing.
* Neurons in single-step mode keep their potential between calls: a
  recomputation would advance it twice, so such stages are not checkpointed.
  Multi-step calls start from rest and recompute exactly.

Under SLTT-K (``model.bptt=dict(mode='sltt', k=K)``) stages are not
checkpointed either: the steps drawn for a training step are gone when
backward would recompute, and the stages keep only K/T of their
activations anyway.
"""
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Any, Callable

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.checkpoint import checkpoint

from ..neurons.neuron_utils import spiking_modules


@contextmanager
def frozen_bn_statistics(module: nn.Module):
    """Within the block, BN layers of ``module`` normalise with batch
    statistics as usual but leave their running statistics unchanged."""
    bns = [
        m for m in module.modules() if isinstance(m, _BatchNorm)
        and m.training and m.track_running_stats
    ]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in bns]
    for m in bns:
        m.momentum = 0.0  # running = 1 * running + 0 * batch: unchanged
    try:
        yield
    finally:
        for m, (momentum, count) in zip(bns, saved):
            m.momentum = momentum
            m.num_batches_tracked.copy_(count)


def _contexts(module: nn.Module):
    return nullcontext(), frozen_bn_statistics(module)


def checkpoint_call(fn: Callable, *args, owner: nn.Module,
                    enabled: bool = True) -> Any:
    """``fn(*args)``, recomputed in backward instead of stored when useful.

    Checkpoints (``torch.utils.checkpoint``, ``use_reentrant=False``) only
    when ``enabled``, ``owner`` is in training mode, autograd is recording
    and no neuron of ``owner`` is in single-step mode or trains by SLTT-K;
    else a plain call.

    Args:
        fn (Callable): What to run: ``owner`` itself or a method using only
            ``owner``'s submodules.
        *args: Its inputs.
        owner (nn.Module): The module whose layers ``fn`` runs (its BN
            statistics are frozen during the recomputation).
        enabled (bool): The ``with_cp`` switch. Defaults to True.

    Returns:
        What ``fn`` returns.
    """
    if not (enabled and owner.training and torch.is_grad_enabled()) or any(
            n.step_mode == 's' or (n.bptt is not None and n.bptt.k is not None)
            for _, n in spiking_modules(owner)):
        return fn(*args)
    return checkpoint(
        fn, *args, use_reentrant=False, context_fn=partial(_contexts, owner))
