"""A full disk during a checkpoint save is one paragraph naming the file,
the space it needed and the last good checkpoint, with nothing written
lost; an epoch whose checkpoint would not fit is not started. The disk is
simulated: the write of the checkpoint's temporary file fails with ENOSPC
(or the free space reported is small), in a temporary folder."""
import errno
import os
import os.path as osp
from collections import namedtuple

import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from mmsnn.engine import add_reliability_hooks
from mmsnn.engine import atomic_local_backend, disk_space
from mmsnn.engine.disk_space import DiskFullError, format_size
from tests.tiny_voc import tiny_runner_cfg


class _FullDisk:
    """``os.fdopen`` whose files take ``room`` bytes, then fail as a full
    disk does (``ENOSPC``), once ``full`` is set."""

    def __init__(self, room):
        self.room, self.full = room, False
        self.fdopen = os.fdopen

    def __call__(self, fd, *args, **kwargs):
        handle = self.fdopen(fd, *args, **kwargs)
        if not self.full:
            return handle
        room = self.room

        class Limited:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def write(self, data):
                handle.write(data[:room])
                if len(data) > room:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self, name):
                return getattr(handle, name)

        return Limited()


@HOOKS.register_module()
class FillDiskHook(Hook):
    """Makes the disk full (``disk.full``) when epoch ``epoch`` starts."""

    disk = None

    def __init__(self, epoch):
        self.epoch = epoch

    def before_train_epoch(self, runner):
        if runner.epoch == self.epoch:
            self.disk.full = True


def runner_for(tmp_path, hooks=(), max_epochs=2):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=max_epochs)
    add_reliability_hooks(cfg)
    cfg.custom_hooks += list(hooks)
    return Runner.from_cfg(cfg), cfg.work_dir


def test_full_disk_during_save_names_file_size_and_last_good(
        tmp_path, monkeypatch):
    disk = _FullDisk(room=1000)
    monkeypatch.setattr(atomic_local_backend.os, 'fdopen', disk)
    monkeypatch.setattr(FillDiskHook, 'disk', disk)
    runner, work_dir = runner_for(tmp_path,
                                  [dict(type='FillDiskHook', epoch=1)])
    with pytest.raises(DiskFullError) as e:
        runner.train()
    message = str(e.value)
    good, failed = (osp.join(work_dir, f'epoch_{i}.pth') for i in (1, 2))
    size = format_size(osp.getsize(good) * 0.9)[-2:]  # the same unit
    assert f'The disk is full: the checkpoint {failed} could not be ' \
        'written (No space left on device); it needed ' in message
    assert size in message.split('it needed ')[1].split(' and ')[0]
    assert f'The last good checkpoint is {good}' in message
    assert 'run the same command with --resume' in message
    # Nothing written was lost, and no partial file is left.
    assert sorted(os.listdir(work_dir)) == sorted(
        f for f in os.listdir(work_dir) if not f.endswith('.tmp'))
    assert not osp.exists(failed)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == good
    assert osp.getsize(good) > 1000


def test_epoch_whose_checkpoint_would_not_fit_is_not_started(
        tmp_path, monkeypatch):
    runner, work_dir = runner_for(tmp_path, max_epochs=1)
    runner.train()
    good = osp.join(work_dir, 'epoch_1.pth')
    usage = namedtuple('usage', 'total used free')
    monkeypatch.setattr(disk_space.shutil, 'disk_usage',
                        lambda path: usage(10**9, 10**9 - 4000, 4000))
    cfg = tiny_runner_cfg(tmp_path, max_epochs=2, work_dir=work_dir,
                          resume=True)
    add_reliability_hooks(cfg)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(DiskFullError) as e:
        runner.train()
    message = str(e.value)
    assert f'The disk of {work_dir} has 4.0 kB free, but the checkpoint at ' \
        'the end of epoch 2 needs about ' in message
    assert f'(the size of {good})' in message and 'not started' in message
    assert f'The last good checkpoint is {good}' in message
    assert runner.iter == 1  # epoch 2 was not trained


def test_sizes_read_as_df_prints_them():
    assert [format_size(n) for n in (999, 4000, 123_456_789, 2.5e12)] == [
        '999 B', '4.0 kB', '123.5 MB', '2.5 TB']
