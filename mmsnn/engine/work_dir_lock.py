"""One training at a time in a work dir: a lock file naming its holder.

Two trainings started in one work dir both run to the end: the second's
checkpoints, ``last_checkpoint``, best checkpoint and config dump replace the
first's, and their logs interleave. :class:`WorkDirLock` makes the second
one stop before it writes anything, naming the first.

The lock is ``<work_dir>/train.lock``, locked with ``fcntl.lockf`` (a POSIX
record lock, which NFS passes between hosts): the kernel releases it when
the holding process ends, however it ends (a ``kill -9``, a crash), so a
lock left by a dead process is never in the way; the next run takes it over
and says so. The file holds the holder's pid, host, start time and command,
for the message. Only rank 0 of a distributed run takes it (the other ranks
write into the work dir as part of the same run). Where the file system
offers no locks, the holder's pid is checked instead (on the same host); a
work dir on remote storage (a URL) is not locked.
"""
import datetime
import errno
import fcntl
import json
import logging
import os
import os.path as osp
import socket
import sys
from typing import Dict, Optional, Sequence

from mmengine.logging import print_log

from mmsnn.utils import InputError
from mmsnn.utils.tool_command import format_command, python_command

#: The lock's file name in the work dir.
LOCK_NAME = 'train.lock'

#: Errors of a file system without record locks.
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)

#: The locks this process holds, by the lock file's real path.
_held: Dict[str, 'WorkDirLock'] = {}


class WorkDirInUseError(InputError):
    """Another training holds the work dir's lock."""


def _describe(holder: dict, path: str) -> str:
    """``pid P on host H, started T: COMMAND`` from a lock's content."""
    if not holder.get('pid'):
        return f'another process (the lock {path} names none)'
    text = f'pid {holder["pid"]} on host {holder.get("host", "?")}'
    if holder.get('started'):
        text += f', started {holder["started"]}'
    if holder.get('command'):
        text += f': {holder["command"]}'
    return text


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class WorkDirLock:
    """Hold ``<work_dir>/train.lock`` while a training writes there.

    Use as a context manager, or :meth:`acquire` / :meth:`release`. Taking
    a lock this process already holds (the tool's, then
    :class:`~mmsnn.engine.hooks.WorkDirLockHook`'s) succeeds and leaves it
    to the first holder.

    Args:
        work_dir (str): The work dir (created if needed).
        command (Sequence[str], optional): The command line that started
            the run, for the message another run prints; None: this
            process's ``sys.argv``.
    """

    def __init__(self, work_dir: str,
                 command: Optional[Sequence[str]] = None) -> None:
        self.work_dir = work_dir
        self.path = osp.join(work_dir, LOCK_NAME)
        self.command = list(command) if command else [python_command(),
                                                      *sys.argv]
        self._fd: Optional[int] = None

    def acquire(self) -> Optional[dict]:
        """Take the lock.

        Returns:
            dict or None: What the lock file said of a previous holder
            that ended without releasing it (taken over, with a warning in
            the log), else None.

        Raises:
            WorkDirInUseError: A live process holds it; the message names
                that process and what to do.
        """
        if '://' in str(self.work_dir):
            return None  # remote storage: no file locks there
        key = osp.realpath(self.path)
        if key in _held:
            return None
        os.makedirs(self.work_dir, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                         0o644)
            try:
                locked = self._lock(fd)
                if locked and not self._same_file(fd):
                    # released (removed) between our open and our lock
                    os.close(fd)
                    continue
            except BaseException:
                os.close(fd)
                raise
            break
        previous = _read(fd)
        info = dict(pid=os.getpid(), host=socket.gethostname(),
                    started=datetime.datetime.now().isoformat(
                        sep=' ', timespec='seconds'),
                    command=format_command(self.command))
        data = json.dumps(info).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        os.fsync(fd)
        self._fd = fd
        _held[key] = self
        if not previous.get('pid'):
            return None
        print_log(
            f'{self.path}: took over the lock of pid {previous["pid"]} on '
            f'host {previous.get("host")}, which ended without releasing it',
            logger='current', level=logging.WARNING)
        return previous

    def _lock(self, fd: int) -> bool:
        """Lock ``fd`` or raise naming its holder; False where the file
        system has no locks (the holder's pid was checked instead)."""
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as e:
            if e.errno in _NO_LOCKS:
                holder = _read(fd)
                if not (holder.get('host') == socket.gethostname()
                        and isinstance(holder.get('pid'), int)
                        and holder['pid'] != os.getpid()
                        and _pid_alive(holder['pid'])):
                    return False
            elif e.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = _read(fd)
        raise WorkDirInUseError(
            f'The work dir {self.work_dir} is in use by another training: '
            f'{_describe(holder, self.path)}. Two trainings in one work dir '
            'replace each other\'s checkpoints, last_checkpoint, best '
            'checkpoint and config dump, and their logs interleave. Wait for '
            'it to end (or stop it), or give this run another --work-dir. '
            f'(The lock {self.path} is released when that process ends, '
            'however it ends.)')

    def _same_file(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        """Remove the lock file and release the lock (no-op if not held
        by this object)."""
        if self._fd is None:
            return
        if self._same_file(self._fd):
            os.remove(self.path)
        os.close(self._fd)
        self._fd = None
        _held.pop(osp.realpath(self.path), None)

    def __enter__(self) -> 'WorkDirLock':
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read(fd: int) -> dict:
    """The lock file's content (through ``fd``: closing another descriptor
    of the file would drop this process's record lock); {} if none."""
    try:
        data = os.pread(fd, 1 << 16, 0)
        info = json.loads(data.decode()) if data.strip() else {}
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}
