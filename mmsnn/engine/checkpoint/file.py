"""Is it a checkpoint file at all: present, a checkpoint's format, a dict.

What mmengine would report late or obscurely (a missing file after the
model is built, ``invalid load key`` for a text file, an ``AttributeError``
for a pickled list) is one :class:`~mmsnn.utils.InputError` paragraph
here, before any work starts.
"""
import os.path as osp
from typing import Optional

from mmsnn.utils import InputError
from .safe_load import load_checkpoint_safely

#: How the files ``torch.save`` writes start: a zip archive (torch >= 1.6)
#: or a pickle (the legacy format, protocol 2 and later).
_CHECKPOINT_MAGIC = (b'PK', b'\x80')


def check_checkpoint_file(path: Optional[str], what: str = 'checkpoint'):
    """Raise a clear error when a local checkpoint file does not exist.

    Args:
        path (str, optional): A file path or URL (``http://``,
            ``open-mmlab://``, ... are left to mmengine); None is allowed.
        what (str): How the message calls the file, e.g. ``'load_from'``.

    Raises:
        InputError: ``path`` is local and not a file, or not a checkpoint.
    """
    if path is None or '://' in path:
        return
    if osp.isfile(osp.expanduser(path)):
        _check_checkpoint_format(path, what)
        return
    hint = ('; it is a directory, pass a .pth file inside it'
            if osp.isdir(path) else '')
    raise InputError(
        f'{what} file {path} (absolute: {osp.abspath(path)}) does not '
        f'exist{hint}. tools/train.py writes checkpoints to '
        'work_dirs/<config name>/epoch_<N>.pth (or --work-dir), and the file '
        'last_checkpoint there names the newest one.')


def _check_checkpoint_format(path: str, what: str) -> None:
    """Refuse a file that is not a checkpoint at all (a text file, an
    image), which torch would call damaged (``invalid load key``); an
    empty or cut file is left to the loader, which says it is
    truncated."""
    path = osp.expanduser(path)
    with open(path, 'rb') as f:
        head = f.read(64)
    if not head or head.startswith(_CHECKPOINT_MAGIC):
        return
    shown = head.split(b'\n')[0][:40].decode('utf-8', 'replace')
    raise InputError(
        f'{what} file {path} (absolute: {osp.abspath(path)}) is not a '
        'checkpoint: torch writes a zip archive or a pickle, and this file '
        f'starts with {shown!r}. Pass the .pth file that tools/train.py '
        'wrote (work_dirs/<config name>/epoch_<N>.pth, or the one the file '
        'last_checkpoint there names), not another file; are the arguments '
        "in the order the tool's --help gives?")


def load_checkpoint_to_check(filename: str) -> dict:
    """Load a checkpoint on the CPU, safely, to check it.

    Args:
        filename (str): A path or URL.

    Returns:
        dict: The checkpoint (a bare state_dict is returned as is).

    Raises:
        InputError: The file is damaged, unsafe (see
            :func:`~mmsnn.engine.checkpoint.load_checkpoint_safely`) or
            holds something else than a dict.
    """
    checkpoint = load_checkpoint_safely(filename, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise InputError(
            f'Checkpoint {filename} holds a {type(checkpoint).__name__}, not '
            'a dict of tensors (a state_dict, or a dict with "state_dict").')
    return checkpoint
