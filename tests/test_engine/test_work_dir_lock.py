"""WorkDirLock: one holder at a time, named in the refusal; released by
the kernel when its process dies, and taken over then; taken again by its
own process without a second lock."""
import json
import multiprocessing
import os
import signal

import pytest

from mmsnn.engine import WorkDirInUseError, WorkDirLock
from mmsnn.engine.work_dir_lock import LOCK_NAME


def _hold(work_dir, ready):
    WorkDirLock(work_dir, ['python', 'tools/train.py', 'a.py']).acquire()
    ready.set()
    signal.pause()


@pytest.fixture
def holder(tmp_path):
    """Another process holding tmp_path's lock (killed at the end)."""
    context = multiprocessing.get_context('fork')
    ready = context.Event()
    process = context.Process(target=_hold, args=(str(tmp_path), ready))
    process.start()
    assert ready.wait(60)
    yield process
    process.kill()
    process.join()


def test_second_holder_is_refused_naming_the_first(tmp_path, holder):
    with pytest.raises(WorkDirInUseError) as e:
        WorkDirLock(str(tmp_path), ['python', 'tools/train.py', 'b.py']
                    ).acquire()
    message = str(e.value)
    assert f'The work dir {tmp_path} is in use by another training: pid ' \
        f'{holder.pid} on host ' in message
    assert ': python tools/train.py a.py.' in message
    assert str(tmp_path / LOCK_NAME) in message
    # The holder's record is untouched.
    assert json.loads((tmp_path / LOCK_NAME).read_text())['pid'] == \
        holder.pid


def test_lock_of_a_killed_process_is_taken_over(tmp_path, holder):
    holder.kill()  # no release: the kernel drops its lock
    holder.join()
    lock = WorkDirLock(str(tmp_path), ['python', 'tools/train.py', 'b.py'])
    stale = lock.acquire()
    assert stale['pid'] == holder.pid
    record = json.loads((tmp_path / LOCK_NAME).read_text())
    assert record['pid'] == os.getpid()
    assert record['command'] == 'python tools/train.py b.py'
    lock.release()
    assert not (tmp_path / LOCK_NAME).exists()


def test_own_process_takes_it_again_and_the_first_holder_releases(
        tmp_path):
    with WorkDirLock(str(tmp_path)) as first:
        second = WorkDirLock(str(tmp_path))
        assert second.acquire() is None  # the tool's, then the hook's
        second.release()  # not its to release
        assert (tmp_path / LOCK_NAME).exists()
        assert first.path == str(tmp_path / LOCK_NAME)
    assert not (tmp_path / LOCK_NAME).exists()
    with WorkDirLock(str(tmp_path)):  # free again
        pass


def test_without_file_locks_the_holders_pid_is_checked(tmp_path,
                                                       monkeypatch):
    """A file system without record locks (ENOLCK): a live holder on this
    host is refused, a dead one is taken over."""
    import errno
    import fcntl
    import socket
    import subprocess

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, 'lockf', no_locks)
    path = tmp_path / LOCK_NAME
    host = socket.gethostname()
    path.write_text(json.dumps(dict(pid=os.getppid(), host=host)))
    with pytest.raises(WorkDirInUseError, match=f'pid {os.getppid()} on '):
        WorkDirLock(str(tmp_path)).acquire()
    dead = subprocess.Popen(['true'])
    dead.wait()
    path.write_text(json.dumps(dict(pid=dead.pid, host=host)))
    lock = WorkDirLock(str(tmp_path))
    assert lock.acquire()['pid'] == dead.pid
    lock.release()
