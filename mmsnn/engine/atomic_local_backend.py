"""Atomic local file writes for mmengine (checkpoints above all)."""
import os
import os.path as osp
import re
import tempfile
from pathlib import Path
from typing import List, Union

import mmengine
from mmengine.fileio import LocalBackend, register_backend

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


class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose writes are all-or-nothing.

    mmengine's runner serialises a checkpoint to bytes and hands them to the
    file backend's ``put``, which writes the target file in place: killed
    while writing (Ctrl-C, OOM killer, a preempted job), it leaves a
    truncated ``.pth`` that ``--resume`` cannot read. Here the bytes go to a
    temporary file in the same directory, are flushed to disk, and replace
    the target with ``os.replace`` (atomic on POSIX and Windows), so the
    target is always either the previous complete file or the new one.

    Registered as mmengine's ``'local'`` backend for every path without a
    scheme prefix, so stock ``CheckpointHook`` configs get it unchanged.
    """

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
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


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


def register_atomic_local_backend() -> None:
    """Make :class:`AtomicLocalBackend` mmengine's local backend."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    # get_file_backend caches instances: drop any stock local one.
    from mmengine.fileio import io
    for key, backend in list(io.backend_instances.items()):
        if type(backend) is LocalBackend:
            del io.backend_instances[key]
