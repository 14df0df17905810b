"""Safe checkpoint loading on torch >= 2.6 (``weights_only=True``).

torch 2.6 made ``torch.load`` refuse any pickled global outside an allowlist.
An mmengine 0.10.7 checkpoint holds a few such objects beside the tensors
(the message hub's ``HistoryBuffer`` logs, numpy arrays and scalars in them),
so ``--resume`` fails. Instead of switching the protection off, mmsnn allows
exactly those globals (:data:`CHECKPOINT_GLOBALS`, found by pickling real
checkpoints written by mmengine's runner and mmdet's models) and keeps
refusing everything else: a checkpoint whose pickle names any other callable
(``os.system``, ``builtins.eval``, ...) raises :class:`UnsafeCheckpointError`
naming the file and the globals, without executing them.

All of mmengine's checkpoint loaders (``load_from``, ``--resume``,
``DetInferencer`` weights, ``init_cfg=dict(type='Pretrained')``) go through
``CheckpointLoader``; :func:`register_safe_checkpoint_loading` replaces its
local-file loader with one that passes ``weights_only=True`` explicitly (so
``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` cannot switch it off) and wraps the
others to translate the refusal.
"""
import functools
import os.path as osp
import pickle
import re
import zipfile
from typing import Callable, List

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmsnn.utils import InputError


class UnsafeCheckpointError(InputError, pickle.UnpicklingError):
    """A checkpoint's pickle names a global outside the allowlist."""


def _history_buffer_attr(owner, name: str):
    """A stand-in for ``builtins.getattr`` that serves only HistoryBuffer.

    A ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``,
    ``mean``, ``current``) as ``getattr(HistoryBuffer, 'min')``. Allowing the
    real ``getattr`` would let a pickle reach any attribute of any allowed
    object (``__globals__``, ``__builtins__``, then ``eval``), so the name
    ``builtins.getattr`` is mapped to this function instead.
    """
    from mmengine.logging import HistoryBuffer
    methods = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if owner is HistoryBuffer and isinstance(name, str) and name in methods:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({owner!r}, {name!r}): only getattr(HistoryBuffer, '
        '<statistics method>) is allowed in a checkpoint')


def checkpoint_globals() -> list:
    """The non-tensor globals that mmengine/mmdet/mmsnn checkpoints pickle.

    Found by saving checkpoints with mmengine's runner (epoch- and
    iteration-based loops, SGD and Adam, param schedulers, validation with
    ``save_best``; not AMP, which needs a GPU) and listing what
    ``torch.serialization.get_unsafe_globals_in_checkpoint`` reports:
    the message hub's ``HistoryBuffer`` (with its statistics methods, see
    :func:`_history_buffer_attr`) and the numpy arrays and scalars it logs.

    Returns:
        list: Entries for ``torch.serialization.add_safe_globals``.
    """
    import numpy as np
    from mmengine.logging import HistoryBuffer

    try:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
        module = 'numpy.core.multiarray'
    except ImportError:  # pragma: no cover  (numpy 2 renamed core)
        from numpy._core.multiarray import _reconstruct, scalar
        module = 'numpy._core.multiarray'
    # An unpickled np.dtype is BUILT into its class (numpy.dtypes.*DType).
    dtype_classes = [type(np.dtype(t)) for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
        np.uint32, np.uint64, np.float16, np.float32, np.float64)]
    return [
        HistoryBuffer, (_history_buffer_attr, 'builtins.getattr'),
        np.ndarray, np.dtype, (_reconstruct, f'{module}._reconstruct'),
        (scalar, f'{module}.scalar'), *dtype_classes
    ]


def _offending_globals(filename: str, error: Exception) -> List[str]:
    """Every disallowed global of a local checkpoint, else the one named in
    torch's message."""
    if osp.isfile(filename):
        try:
            found = torch.serialization.get_unsafe_globals_in_checkpoint(
                filename)
            if found:
                return found
        except Exception:  # not a zip checkpoint: fall back to the message
            pass
    return re.findall(r'GLOBAL (\S+) was not an allowed global', str(error))


def _refuse_unsafe(loader: Callable) -> Callable:
    """Wrap a ``CheckpointLoader`` scheme to name what torch refused."""

    @functools.wraps(loader)
    def load(filename, *args, **kwargs):
        try:
            return loader(filename, *args, **kwargs)
        except pickle.UnpicklingError as e:
            if isinstance(e, UnsafeCheckpointError):
                raise
            names = _offending_globals(filename, e)
            if names:
                culprit = f'calls {", ".join(names)}, which'
            else:  # e.g. BUILD of a class; keep torch's own one-line reason
                reason = re.search(r'WeightsUnpickler error:\s*(.+?)\s*'
                                   r'(?:\n\n|$)', str(e), re.S)
                culprit = ('needs something that ' +
                           (reason.group(1) if reason else str(e)) +
                           '; that')
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {filename}: its pickle '
                f'{culprit} is not among the globals mmengine/mmdet/mmsnn '
                'checkpoints contain (mmsnn.engine.safe_checkpoint), so '
                'loading it could run arbitrary code. Nothing from it was '
                'executed. Use checkpoints from a source you trust; if this '
                'one is yours and holds a harmless object, re-save only its '
                '"state_dict" of tensors.') from None

    load.__mmsnn_safe__ = True
    return load


class DamagedCheckpointError(InputError):
    """A checkpoint file is truncated or not a checkpoint at all."""


def load_from_local_safely(filename: str, map_location=None):
    """mmengine's local-file loader with ``weights_only=True`` explicit.

    A truncated or damaged file (torch: ``PytorchStreamReader failed reading
    zip archive: failed finding central directory``, an empty file's
    ``EOFError``, a text file's ``KeyError``) raises
    :class:`DamagedCheckpointError` naming the file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError:
        raise  # a refused global: _refuse_unsafe names it
    except (RuntimeError, EOFError, KeyError, ValueError) as e:
        damaged = (isinstance(e, EOFError) or 'PytorchStreamReader' in str(e)
                   or not isinstance(e, RuntimeError)
                   and not zipfile.is_zipfile(filename))
        if not damaged:  # e.g. CUDA tensors on a machine without CUDA
            raise
        reason = str(e).split('. ')[0] or type(e).__name__
        raise DamagedCheckpointError(
            f'Checkpoint file {filename} ({osp.getsize(filename)} bytes) is '
            f'not a complete checkpoint: torch cannot read it ({reason}). '
            'It is probably truncated (a copy or download that stopped '
            'early, a full disk, or a save killed by something that bypassed '
            "mmsnn's atomic writes). Use an earlier checkpoint (the file "
            'last_checkpoint in the work dir names the newest complete one) '
            'or copy the file again.') from None


def register_safe_checkpoint_loading() -> None:
    """Allowlist :func:`checkpoint_globals` and route every mmengine
    checkpoint scheme through :func:`_refuse_unsafe` (idempotent)."""
    torch.serialization.add_safe_globals(checkpoint_globals())
    for prefix, loader in dict(CheckpointLoader._schemes).items():
        if getattr(loader, '__mmsnn_safe__', False):
            continue
        if prefix == '':
            loader = load_from_local_safely
        CheckpointLoader.register_scheme(
            prefix, _refuse_unsafe(loader), force=True)
