"""A work dir that cannot be written is one clear message before a run
starts. As root, chmod does not stop writes, so the read-only cases are a
real kernel refusal (mkdir under /sys, EPERM on Linux) and a simulated
OSError for each errno the message translates."""
import errno
import os
import os.path as osp

import pytest

from mmsnn.utils import InputError, check_work_dir


def test_writable_work_dir_is_created_and_left_clean(tmp_path):
    work_dir = str(tmp_path / 'a/b')
    check_work_dir(work_dir)
    assert osp.isdir(work_dir) and os.listdir(work_dir) == []


@pytest.mark.skipif(not osp.isdir('/sys/kernel'), reason='needs Linux sysfs')
def test_place_the_kernel_refuses():
    with pytest.raises(InputError) as e:
        check_work_dir('/sys/mmsnn_work_dir', '--work-dir')
    msg = str(e.value)
    assert msg.startswith('The --work-dir /sys/mmsnn_work_dir ')
    assert '[Errno ' in msg and 'pass --work-dir with a writable' in msg


@pytest.mark.parametrize('code,says', [
    (errno.EROFS, 'is on a read-only file system'),
    (errno.EACCES, 'is not writable by this user'),
    (errno.ENOSPC, 'is on a full disk')])
def test_os_errors_are_translated(tmp_path, monkeypatch, code, says):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / 'wd'))

    monkeypatch.setattr('tempfile.mkstemp', refuse)
    with pytest.raises(InputError) as e:
        check_work_dir(str(tmp_path / 'wd'))
    assert f'{tmp_path / "wd"} (absolute: ' in str(e.value)
    assert says in str(e.value) and f'[Errno {code}]' in str(e.value)


def test_a_file_in_the_way(tmp_path):
    (tmp_path / 'wd').write_text('not a directory')
    with pytest.raises(InputError, match='is a file, not a directory'):
        check_work_dir(str(tmp_path / 'wd'))
