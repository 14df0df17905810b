"""Checkpoint state that torch's weights-only loader reads as it is.

torch >= 2.6 loads with ``weights_only=True`` by default, which refuses
every pickled class outside tensors and Python's plain types. mmengine's
runner puts the message hub's state into each checkpoint: its
``HistoryBuffer`` logs (numpy arrays inside) and runtime values such as
numpy scalars (``eta``); mmsnn's ``RandomStateHook`` adds numpy's
generator state (a numpy array). So a stock ``torch.load``, mmengine's
``load_from`` / resume, ``init_detector`` and ``DetInferencer`` all refuse
such a checkpoint unless an allowlist is in force.

:func:`to_plain` rewrites that state before the checkpoint is written
(``before_save_checkpoint`` of :class:`~mmsnn.engine.SafeCheckpointHook`
and :class:`~mmsnn.engine.RandomStateHook`) and :func:`from_plain` turns it
back when training resumes (their ``after_load_checkpoint``):

- a ``HistoryBuffer`` becomes ``{TAG: 'HistoryBuffer', 'log_history':
  Tensor, 'count_history': Tensor, 'max_length': int}``;
- a numpy array becomes ``{TAG: 'ndarray', 'data': Tensor}`` (same dtype
  and values; arrays of dtypes torch has not, such as strings or objects,
  are left as they are);
- a numpy scalar becomes the Python scalar of the same value (``.item()``).

Both round trips are exact (values and dtypes), so a resumed run logs and
trains as an uninterrupted one. This keeps the safety of weights-only
loading (no allowlist, nothing widened) and is done only through mmengine's
public hook points. A run resumed from such a checkpoint without mmsnn's
hooks still resumes; it only starts its logged smoothing windows afresh
(mmengine skips log entries that are not ``HistoryBuffer`` with a
warning).
"""
from collections import OrderedDict
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: The key that marks a dict written by :func:`to_plain`.
TAG = '__mmsnn_plain__'


def _ndarray_to_plain(array: np.ndarray):
    try:
        return {TAG: 'ndarray', 'data': torch.from_numpy(array.copy())}
    except TypeError:  # a dtype torch has not (str, object, ...)
        return array


def to_plain(obj: Any) -> Any:
    """``obj`` with every ``HistoryBuffer``, numpy array and numpy scalar in
    it (in nested dicts, lists and tuples) rewritten as plain data.

    Args:
        obj: e.g. a message hub's ``state_dict()``; not modified.

    Returns:
        A copy of the containers, of the same types (an ``OrderedDict``
        stays one), holding tensors and Python values.
    """
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {TAG: 'HistoryBuffer',
                'log_history': torch.from_numpy(np.array(log)),
                'count_history': torch.from_numpy(np.array(count)),
                'max_length': obj.max_length}
    if isinstance(obj, np.ndarray):
        return _ndarray_to_plain(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    # (other dict, list and tuple types, e.g. a namedtuple, are left as
    # they are: their constructors differ)
    if type(obj) in (dict, OrderedDict):
        return type(obj)((k, to_plain(v)) for k, v in obj.items())
    if type(obj) in (list, tuple):
        return type(obj)(to_plain(v) for v in obj)
    return obj


def from_plain(obj: Any) -> Any:
    """Undo :func:`to_plain`: the tagged dicts in ``obj`` become
    ``HistoryBuffer`` objects and numpy arrays again.

    Args:
        obj: State as a checkpoint holds it; not modified. Anything
            :func:`to_plain` did not write (a checkpoint of mmengine's
            stock hook) comes back as it is.

    Returns:
        A copy of the containers with the tagged dicts turned back.
    """
    if type(obj) in (dict, OrderedDict):
        kind = obj.get(TAG)
        if kind == 'HistoryBuffer':
            return HistoryBuffer(obj['log_history'].numpy(),
                                 obj['count_history'].numpy(),
                                 obj['max_length'])
        if kind == 'ndarray':
            return obj['data'].numpy()
        return type(obj)((k, from_plain(v)) for k, v in obj.items())
    if type(obj) in (list, tuple):
        return type(obj)(from_plain(v) for v in obj)
    return obj
