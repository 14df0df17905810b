"""A full disk when a checkpoint is saved: one paragraph, and a check of the
free space before an epoch whose checkpoint would not fit."""
import errno
import os.path as osp
import shutil
from typing import Optional

from mmsnn.utils import InputError

#: The errors of a write that found no room.
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class NoSpaceError(OSError):
    """A file write failed for lack of space (``ENOSPC``, ``EDQUOT``),
    with what it needed.

    Args:
        error (OSError): The error the write raised.
        path (str): The file being written.
        needed (int): Its size in bytes.
    """

    def __init__(self, error: OSError, path: str, needed: int) -> None:
        super().__init__(error.errno, error.strerror, path)
        self.path = path
        self.needed = needed


class DiskFullError(InputError):
    """A checkpoint could not be written, or would not fit, for lack of
    space."""


def is_no_space(error: BaseException) -> bool:
    """Whether ``error`` is a write that found no room."""
    return isinstance(error, OSError) and error.errno in NO_SPACE_ERRNOS


def format_size(size: float) -> str:
    """Bytes as ``'12.3 MB'`` (decimal units, as ``df -H``)."""
    if size < 1000:
        return f'{size:.0f} B'
    for unit in ('kB', 'MB', 'GB'):
        size /= 1000
        if size < 1000:
            return f'{size:.1f} {unit}'
    return f'{size / 1000:.1f} TB'


def free_space(directory: str) -> Optional[int]:
    """Free bytes for this user on ``directory``'s file system (None where
    that cannot be read, e.g. a URL)."""
    if '://' in str(directory):
        return None
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return None


def _after(last_good: Optional[str]) -> str:
    return (f'The last good checkpoint is {last_good} (last_checkpoint in the '
            'work dir points to it): after freeing space, run the same '
            'command with --resume to go on from it.'
            if last_good else 'No checkpoint was saved before: after freeing '
            'space, run the same command again.')


def disk_full_error(error: OSError,
                    last_good: Optional[str]) -> DiskFullError:
    """The one-paragraph error for a checkpoint write that found no room.

    Args:
        error (OSError): The write's error (a :class:`NoSpaceError` says
            the file and its size).
        last_good (str, optional): The newest complete checkpoint.

    Returns:
        DiskFullError: To raise.
    """
    path = getattr(error, 'path', None) or error.filename or '?'
    directory = osp.dirname(osp.abspath(str(path)))
    free = free_space(directory)
    needed = getattr(error, 'needed', None)
    size = (f'; it needed {format_size(needed)}' if needed is not None
            else '')
    room = f' and {format_size(free)} are free there' if free is not None \
        else ''
    return DiskFullError(
        f'The disk is full: the checkpoint {path} could not be written '
        f'({error.strerror}){size}{room}. Nothing was damaged: its partial '
        'file was removed and the checkpoints already written are '
        f'complete. {_after(last_good)} To make room, delete checkpoints '
        'you do not need (default_hooks.checkpoint.max_keep_ckpts keeps '
        f'only the newest ones) or pass --work-dir on another disk.')


def check_space_for_checkpoint(directory: str, needed: int, epoch: int,
                               estimate: str,
                               last_good: Optional[str]) -> None:
    """Refuse to start an epoch whose checkpoint will not fit.

    Args:
        directory (str): Where the checkpoint goes.
        needed (int): Its expected size in bytes.
        epoch (int): The epoch about to start (1-based), for the message.
        estimate (str): Where ``needed`` comes from, for the message.
        last_good (str, optional): The newest complete checkpoint.

    Raises:
        DiskFullError: ``directory`` has less than ``needed`` free.
    """
    free = free_space(directory)
    if free is None or free >= needed:
        return
    raise DiskFullError(
        f'The disk of {directory} has {format_size(free)} free, but the '
        f'checkpoint at the end of epoch {epoch} needs about '
        f'{format_size(needed)} ({estimate}): the epoch would be trained and '
        'then lost when its checkpoint cannot be written, so it was not '
        f'started. {_after(last_good)} To make room, delete checkpoints you '
        'do not need (default_hooks.checkpoint.max_keep_ckpts keeps only '
        'the newest ones) or pass --work-dir on another disk.')
