"""A local file backend for checkpoints: atomic writes, removals deferred.

Registered in mmengine's file backends as ``'mmsnn_atomic_local'`` (a new
name; mmengine's ``'local'`` backend is left as it is). A checkpoint hook
selects it with ``backend_args=dict(backend='mmsnn_atomic_local')``, as
:class:`~mmsnn.engine.SafeCheckpointHook` does for local work dirs; any
other write through ``mmengine.fileio`` keeps mmengine's own backend.
"""
import contextlib
import os
import os.path as osp
import re
import tempfile
from pathlib import Path
from typing import Iterator, List, Optional, Union

import mmengine
from mmengine.fileio import LocalBackend, register_backend

from .disk_space import NoSpaceError, is_no_space

#: The name this backend is registered under in mmengine's file backends.
ATOMIC_BACKEND = 'mmsnn_atomic_local'

# Temporary files are named `.<target name>.<random>` + this suffix; what an
# interrupted save (kill -9, power loss) leaves behind matches it.
TEMP_SUFFIX = '.mmsnn.tmp'
_TEMP_NAME = re.compile(r'^\..+\.[A-Za-z0-9_]+' + re.escape(TEMP_SUFFIX) +
                        '$')


def _mode_of_new_file(filepath: str) -> int:
    """The permission bits ``open(filepath, 'wb')`` would leave: the
    target's own when it exists, else 0666 less the process umask."""
    try:
        return os.stat(filepath).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose writes are all-or-nothing and whose
    removals can wait.

    mmengine's runner serialises a checkpoint to bytes and hands them to the
    file backend's ``put``; the stock backend writes the target file in
    place: killed while writing (Ctrl-C, OOM killer, a preempted job), it
    leaves a truncated ``.pth`` that ``--resume`` cannot read. Here the
    bytes go to a temporary file in the same directory, are flushed to
    disk, and replace the target with ``os.replace`` (atomic on POSIX and
    Windows), so the target is always either the previous complete file or
    the new one. A write that finds no room raises
    :class:`~mmsnn.engine.disk_space.NoSpaceError`, which names the file and
    its size.

    Inside :meth:`deferred_removals`, ``remove`` and ``rmtree`` only record
    their path: mmengine's ``CheckpointHook`` deletes an outdated
    checkpoint before it writes the new one, and a hook that wraps it in
    this block deletes it after (see
    :class:`~mmsnn.engine.SafeCheckpointHook`).
    """

    def __init__(self) -> None:
        super().__init__()
        self._deferred: Optional[List[str]] = None

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        filepath = str(filepath)
        directory = osp.dirname(osp.abspath(filepath))
        mmengine.mkdir_or_exist(directory)
        fd, tmp = tempfile.mkstemp(
            dir=directory, prefix=f'.{osp.basename(filepath)}.',
            suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                # mkstemp makes the file private (0600); give it the mode
                # a plain open() would, so others can read checkpoints.
                os.fchmod(f.fileno(), _mode_of_new_file(filepath))
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException as e:
            if osp.exists(tmp):
                os.remove(tmp)
            if is_no_space(e):
                raise NoSpaceError(e, filepath, len(obj)) from e
            raise

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)

    @contextlib.contextmanager
    def deferred_removals(self) -> Iterator[List[str]]:
        """Record the paths ``remove``/``rmtree`` are asked to delete inside
        the block, instead of deleting them.

        Yields:
            list[str]: The recorded paths, for the caller to delete (with
            :meth:`remove_now`) once that is safe.
        """
        self._deferred = deferred = []
        try:
            yield deferred
        finally:
            self._deferred = None

    def remove(self, filepath: Union[str, Path]) -> None:
        if self._deferred is not None:
            self._deferred.append(str(filepath))
        else:
            super().remove(filepath)

    def rmtree(self, dir_path: Union[str, Path]) -> None:
        if self._deferred is not None:
            self._deferred.append(str(dir_path))
        else:
            super().rmtree(dir_path)

    def remove_now(self, path: Union[str, Path]) -> None:
        """Delete the file or directory tree ``path`` if it is there."""
        if self.isfile(path):
            super().remove(path)
        elif self.isdir(path):  # checkpoints saved by deepspeed
            super().rmtree(path)


def remove_stale_temporaries(directory: str) -> List[str]:
    """Delete the temporary files of interrupted atomic writes.

    :meth:`AtomicLocalBackend.put` removes its temporary file on any Python
    exception; only a process killed outright (``kill -9``, OOM killer,
    power loss) leaves one, next to a target that is still the previous
    complete file. Call this at the start of a run, before writing.

    Args:
        directory (str): Where the run writes (work dir, checkpoint dir).

    Returns:
        list[str]: The paths removed.
    """
    if not osp.isdir(directory):
        return []
    removed = []
    for name in sorted(os.listdir(directory)):
        path = osp.join(directory, name)
        if _TEMP_NAME.match(name) and osp.isfile(path):
            os.remove(path)
            removed.append(path)
    return removed
