"""Loading a checkpoint as mmsnn's tools do: weights only, errors named.

mmsnn's tools (train.py's ``load_from`` and ``--resume``, test.py,
infer.py, the converters) read every checkpoint with
:func:`load_checkpoint_safely` before the runner or model loads it:
``weights_only=True`` explicitly (so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``
does not switch it off there) with the runner-checkpoint allowlist of
:func:`~mmsnn.engine.checkpoint.safe_checkpoint_loading`. A checkpoint
whose pickle names any other callable (``os.system``, ``builtins.eval``,
...) raises :class:`UnsafeCheckpointError` naming the file and the globals,
without executing them; a truncated or damaged file raises
:class:`DamagedCheckpointError` naming the file. mmengine's own loaders are
not touched: outside the tools, they behave as without mmsnn.
"""
import os.path as osp
import pickle
import re
import zipfile
from typing import List

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmsnn.utils import InputError
from .allowlist import safe_checkpoint_loading


class UnsafeCheckpointError(InputError, pickle.UnpicklingError):
    """A checkpoint's pickle names a global outside the allowlist."""


class DamagedCheckpointError(InputError):
    """A checkpoint file is truncated or not a checkpoint at all."""


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


def _unsafe(filename: str, error: pickle.UnpicklingError):
    """The :class:`UnsafeCheckpointError` for torch's refusal ``error``."""
    names = _offending_globals(filename, error)
    if names:
        culprit = f'calls {", ".join(names)}, which'
    else:  # e.g. BUILD of a class; keep torch's own one-line reason
        reason = re.search(r'WeightsUnpickler error:\s*(.+?)\s*(?:\n\n|$)',
                           str(error), re.S)
        culprit = ('needs something that ' +
                   (reason.group(1) if reason else str(error)) + '; that')
    return UnsafeCheckpointError(
        f'Refused to load checkpoint {filename}: its pickle {culprit} is not '
        'among the globals mmengine/mmdet/mmsnn checkpoints contain '
        '(mmsnn.engine.checkpoint.allowlist), so loading it could run '
        'arbitrary code. Nothing from it was executed. Use checkpoints from '
        'a source you trust; if this one is yours and holds a harmless '
        'object, re-save only its "state_dict" of tensors.')


def _damaged(filename: str, error: Exception):
    """The :class:`DamagedCheckpointError` for torch's ``error``, or None
    when ``error`` is about something else (CUDA tensors on a machine
    without CUDA, say)."""
    damaged = (isinstance(error, EOFError)
               or 'PytorchStreamReader' in str(error)
               or not isinstance(error, RuntimeError)
               and not zipfile.is_zipfile(filename))
    if not damaged:
        return None
    reason = str(error).split('. ')[0] or type(error).__name__
    return DamagedCheckpointError(
        f'Checkpoint file {filename} ({osp.getsize(filename)} bytes) is not '
        f'a complete checkpoint: torch cannot read it ({reason}). It is '
        'probably truncated (a copy or download that stopped early, a full '
        "disk, or a save killed outside mmsnn's atomic writes). Use an "
        'earlier checkpoint (the file last_checkpoint in the work dir names '
        'the newest complete one) or copy the file again.')


def load_checkpoint_safely(filename: str, map_location='cpu'):
    """Load a checkpoint with ``weights_only=True`` and the allowlist.

    A local file is read by ``torch.load(weights_only=True)``; a URL
    (``http://``, ``open-mmlab://``, ...) by mmengine's
    ``CheckpointLoader`` (torch's default, weights only unless
    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` says otherwise), both inside
    :func:`~mmsnn.engine.checkpoint.safe_checkpoint_loading`.

    Args:
        filename (str): A path (``~`` expanded) or URL.
        map_location (str or callable): As ``torch.load``'s. Defaults to
            ``'cpu'``.

    Returns:
        The loaded object (a checkpoint dict, usually).

    Raises:
        FileNotFoundError: A local file that does not exist.
        UnsafeCheckpointError: Its pickle names a global outside the
            allowlist; nothing of it was executed.
        DamagedCheckpointError: A local file torch cannot read as a
            checkpoint (truncated, empty, another format).
    """
    local = '://' not in filename
    if local:
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(f'{filename} can not be found.')
    with safe_checkpoint_loading():
        try:
            if local:
                return torch.load(filename, map_location=map_location,
                                  weights_only=True)
            return CheckpointLoader.load_checkpoint(
                filename, map_location=map_location)
        except pickle.UnpicklingError as e:
            raise _unsafe(filename, e) from None
        except (RuntimeError, EOFError, KeyError, ValueError) as e:
            damaged = _damaged(filename, e) if local else None
            if damaged is None:
                raise
            raise damaged from None
