"""SafeCheckpointHook: a kill while saving leaves the previous checkpoint and
a pointer to it; otherwise it behaves as mmengine's CheckpointHook.

The crash tests also run against the stock hook, where they must fail
(strict xfail): that is the gap the hook closes."""
import builtins
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmsnn.engine import (AtomicLocalBackend, SafeCheckpointHook,
                          add_reliability_hooks)
from tests.tiny_voc import tiny_runner_cfg

HOOK_TYPES = [
    'SafeCheckpointHook',
    pytest.param(
        'CheckpointHook',
        marks=pytest.mark.xfail(
            strict=True, raises=AssertionError,
            reason='mmengine deletes the old checkpoint before saving the '
            'new one and writes last_checkpoint in place'))
]


def build_runner(tmp_path, max_epochs, max_keep_ckpts,
                 hook_type='SafeCheckpointHook', **overrides):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=max_epochs, **overrides)
    cfg.default_hooks.checkpoint.max_keep_ckpts = max_keep_ckpts
    add_reliability_hooks(cfg)  # what tools/train.py does
    cfg.default_hooks.checkpoint.type = hook_type
    return Runner.from_cfg(cfg)


def checkpoints(work_dir):
    return sorted(f for f in os.listdir(work_dir) if f.endswith('.pth'))


def pointer(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read()


def assert_usable(work_dir, epoch):
    """``last_checkpoint`` names ``epoch_<epoch>.pth``, which loads."""
    path = osp.join(work_dir, f'epoch_{epoch}.pth')
    assert pointer(work_dir) == path
    assert _load_checkpoint(path)['meta']['epoch'] == epoch
    assert not [f for f in os.listdir(work_dir) if f.endswith('.tmp')]


def kill_puts(monkeypatch, doomed):
    """Make the file backends' ``put`` raise KeyboardInterrupt (Ctrl-C, a
    kill) for the paths ``doomed(path)`` accepts: the stock hook writes
    through mmengine's ``LocalBackend``, the safe one through
    ``AtomicLocalBackend`` (a subclass with its own ``put``)."""
    for backend in (LocalBackend, AtomicLocalBackend):

        def put(self, obj, filepath, _put=backend.put):
            if doomed(str(filepath)):
                raise KeyboardInterrupt
            _put(self, obj, filepath)

        monkeypatch.setattr(backend, 'put', put)


@pytest.mark.parametrize('hook_type', HOOK_TYPES)
def test_failed_save_keeps_previous_checkpoint(tmp_path, monkeypatch,
                                               hook_type):
    kill_puts(monkeypatch, lambda path: path.endswith('epoch_2.pth'))
    runner = build_runner(tmp_path, 3, max_keep_ckpts=1, hook_type=hook_type)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    assert checkpoints(runner.work_dir) == ['epoch_1.pth']
    assert_usable(runner.work_dir, 1)


@pytest.mark.parametrize('hook_type', HOOK_TYPES)
def test_failed_pointer_write_keeps_previous_pointer(tmp_path, monkeypatch,
                                                     hook_type):
    """Killed at the last moment before the new pointer would be complete:
    just after mmengine's ``open(..., 'w')`` truncated it."""
    work_dir = str(tmp_path / 'work_dir')
    save_file = osp.join(work_dir, 'last_checkpoint')
    second = osp.join(work_dir, 'epoch_2.pth')
    real_open = builtins.open

    def open_(file, mode='r', *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if file == save_file and 'w' in mode and osp.exists(second):
            f.close()
            raise KeyboardInterrupt
        return f

    monkeypatch.setattr(builtins, 'open', open_)
    runner = build_runner(tmp_path, 2, max_keep_ckpts=1, hook_type=hook_type)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    monkeypatch.undo()
    assert_usable(work_dir, 1)
    # The outdated checkpoint goes only after the pointer has moved on.
    assert checkpoints(work_dir) == ['epoch_1.pth', 'epoch_2.pth']


def test_failed_durable_pointer_write_keeps_a_usable_pointer(
        tmp_path, monkeypatch):
    """Killed while the pointer mmengine wrote in place is replaced by its
    flushed copy: the pointer names the new checkpoint, complete, and the
    outdated one is still there."""
    work_dir = str(tmp_path / 'work_dir')
    save_file = osp.join(work_dir, 'last_checkpoint')
    second = osp.join(work_dir, 'epoch_2.pth')
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if dst == save_file and osp.exists(second):
            raise KeyboardInterrupt
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, 'replace', replace)
    runner = build_runner(tmp_path, 2, max_keep_ckpts=1)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    monkeypatch.undo()
    assert_usable(work_dir, 2)
    assert checkpoints(work_dir) == ['epoch_1.pth', 'epoch_2.pth']


def test_keeps_max_keep_ckpts_and_resume_counts_on(tmp_path, monkeypatch):
    runner = build_runner(tmp_path, 3, max_keep_ckpts=2)
    hook, = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
    assert type(hook) is SafeCheckpointHook
    runner.train()
    assert checkpoints(runner.work_dir) == ['epoch_2.pth', 'epoch_3.pth']
    assert_usable(runner.work_dir, 3)
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2, 3]

    # tools/train.py --resume (auto): the newest checkpoint of the work dir.
    resumed_from = []
    resume = Runner.resume
    monkeypatch.setattr(
        Runner, 'resume',
        lambda self, filename, *a, **k: resumed_from.append(filename) or
        resume(self, filename, *a, **k))
    runner = build_runner(tmp_path, 4, max_keep_ckpts=2, resume=True)
    runner.train()
    assert resumed_from == [osp.join(runner.work_dir, 'epoch_3.pth')]
    # The resumed hook knows epoch 2 is the oldest kept one and removes it.
    assert checkpoints(runner.work_dir) == ['epoch_3.pth', 'epoch_4.pth']
    assert_usable(runner.work_dir, 4)
    state = _load_checkpoint(osp.join(runner.work_dir, 'epoch_4.pth'))
    assert state['message_hub']['runtime_info']['keep_ckpt_ids'] == [3, 4]
    assert all(torch.isfinite(v).all()
               for v in state['state_dict'].values() if v.is_floating_point())


@pytest.mark.parametrize('hook_type',
                         ['CheckpointHook', 'mmengine.CheckpointHook'])
def test_add_reliability_hooks_swaps_stock_checkpoint_hook(hook_type):
    cfg = Config(dict(default_hooks=dict(
        logger=dict(type='LoggerHook'),
        checkpoint=dict(type=hook_type, interval=2, max_keep_ckpts=1,
                        save_best='auto', by_epoch=False))))
    add_reliability_hooks(cfg)
    assert cfg.default_hooks.checkpoint == dict(
        type='SafeCheckpointHook', interval=2, max_keep_ckpts=1,
        save_best='auto', by_epoch=False)
    assert cfg.default_hooks.logger == dict(type='LoggerHook')


def test_add_reliability_hooks_leaves_other_checkpoint_choices():
    custom = dict(type='MyCheckpointHook', interval=3)
    cfg = Config(dict(default_hooks=dict(checkpoint=custom)))
    assert add_reliability_hooks(cfg).default_hooks.checkpoint == custom
    cfg = Config(dict(default_hooks=dict(checkpoint=None)))
    assert add_reliability_hooks(cfg).default_hooks.checkpoint is None
    # No entry: the runner's default CheckpointHook(interval=1), made safe.
    cfg = add_reliability_hooks(Config(dict()))
    assert cfg.default_hooks.checkpoint == dict(type='SafeCheckpointHook',
                                                interval=1)


def best_checkpoints(work_dir):
    return [f for f in checkpoints(work_dir) if f.startswith('best_')]


@pytest.mark.parametrize('hook_type', HOOK_TYPES)
def test_failed_save_of_new_best_keeps_previous_best(tmp_path, monkeypatch,
                                                     hook_type):
    runner = build_runner(
        tmp_path, 1, max_keep_ckpts=-1, hook_type=hook_type,
        default_hooks=dict(checkpoint=dict(save_best='mAP', rule='greater')))
    hook, = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
    runner.train()  # one epoch; then evaluations as the val loop ends them
    hook.after_val_epoch(runner, {'mAP': 0.1})
    assert best_checkpoints(runner.work_dir) == ['best_mAP_epoch_1.pth']
    runner.train_loop._epoch = 2
    hook.after_val_epoch(runner, {'mAP': 0.2})  # the old best goes
    assert best_checkpoints(runner.work_dir) == ['best_mAP_epoch_2.pth']

    runner.train_loop._epoch = 3
    kill_puts(monkeypatch, lambda path: osp.basename(path).startswith('best_'))
    with pytest.raises(KeyboardInterrupt):
        hook.after_val_epoch(runner, {'mAP': 0.3})
    monkeypatch.undo()
    assert best_checkpoints(runner.work_dir) == ['best_mAP_epoch_2.pth']
    previous = osp.join(runner.work_dir, 'best_mAP_epoch_2.pth')
    assert _load_checkpoint(previous)['meta']['epoch'] == 2


def test_stale_temporaries_of_a_killed_save_are_removed_at_start(tmp_path):
    runner = build_runner(tmp_path, 1, max_keep_ckpts=-1)
    os.makedirs(runner.work_dir, exist_ok=True)
    # What kill -9 in the middle of AtomicLocalBackend.put leaves.
    stale = [osp.join(runner.work_dir, name) for name in (
        '.epoch_3.pth.k2j4_x9a.mmsnn.tmp',
        '.last_checkpoint.abc123de.mmsnn.tmp')]
    for path in stale:
        with open(path, 'wb') as f:
            f.write(b'PK\x03\x04 half a checkpoint')
    other = osp.join(runner.work_dir, 'notes.tmp')  # not ours: kept
    open(other, 'w').close()
    messages = []
    warning = runner.logger.warning
    runner.logger.warning = lambda msg, *a, **k: (messages.append(msg),
                                                  warning(msg, *a, **k))
    runner.train()
    assert not any(osp.exists(p) for p in stale) and osp.exists(other)
    for path in stale:
        assert any(path in m and 'killed' in m for m in messages), messages
    assert checkpoints(runner.work_dir) == ['epoch_1.pth']


def test_atomic_writes_get_the_mode_open_would_give(tmp_path):
    """mkstemp's private 0600 must not leak into checkpoints: a new file
    gets 0666 less the umask, a replaced one keeps its own mode."""
    backend = AtomicLocalBackend()
    old_umask = os.umask(0o022)
    try:
        new = tmp_path / 'epoch_1.pth'
        backend.put(b'weights', new)
        assert os.stat(new).st_mode & 0o777 == 0o644
        os.chmod(new, 0o640)
        backend.put(b'weights again', new)
        assert os.stat(new).st_mode & 0o777 == 0o640
        assert new.read_bytes() == b'weights again'
    finally:
        os.umask(old_umask)


def documented_config():
    """The config lines of docs/faults.md that switch mmsnn's safe I/O on."""
    import re

    from tests.tiny_voc import REPO_ROOT
    with open(osp.join(REPO_ROOT, 'docs', 'faults.md')) as f:
        text = f.read()
    return re.search(r'```python\n(# your config .*?)```', text,
                     re.S).group(1)


def test_the_documented_config_resumes_under_mmengine_alone(tmp_path):
    """The config of docs/faults.md, run by mmengine's Runner (as mmdet's
    tools/train.py runs it, no allowlist): its checkpoints load weights-only
    and resume with the message hub's logs as they were."""
    import numpy as np
    from mmengine.logging import HistoryBuffer

    tiny_runner_cfg(tmp_path, max_epochs=2)  # writes tiny.py and the data
    config = tmp_path / 'mine.py'
    config.write_text("_base_ = './tiny.py'\n" + documented_config())
    cfg = Config.fromfile(str(config))
    assert cfg.train_cfg.max_epochs == 2  # the base's, kept
    # One epoch, then a second one resumed from its checkpoint.
    cfg.merge_from_dict(dict(work_dir=str(tmp_path / 'wd'),
                             experiment_name='documented',
                             train_cfg=dict(max_epochs=1)))
    runner = Runner.from_cfg(cfg)
    assert type(runner.train_loop).__name__ == 'SafeEpochBasedTrainLoop'
    assert {'SafeCheckpointHook', 'FiniteLossHook', 'RandomStateHook'} <= {
        type(h).__name__ for h in runner.hooks}
    runner.train()
    saved = torch.load(osp.join(cfg.work_dir, 'epoch_1.pth'),
                       weights_only=True)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        osp.join(cfg.work_dir, 'epoch_1.pth')) == []

    cfg.merge_from_dict(dict(resume=True, experiment_name='resumed',
                             train_cfg=dict(max_epochs=2)))
    resumed = Runner.from_cfg(cfg)
    resumed.load_or_resume()
    assert resumed.epoch == 1
    logs, before = resumed.message_hub.log_scalars, runner.message_hub
    assert logs.keys() == saved['message_hub']['log_scalars'].keys()
    for key, buffer in logs.items():
        assert type(buffer) is HistoryBuffer
        for a, b in zip(buffer.data, before.get_scalar(key).data):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    resumed.train()  # epoch 2
    assert checkpoints(cfg.work_dir) == ['epoch_1.pth', 'epoch_2.pth']


def test_validation_alone_saves_nothing(tmp_path):
    """runner.val() with the hook of a training config: no training, no
    checkpoint, no error (as with mmengine's hook)."""
    runner = build_runner(tmp_path, 1, max_keep_ckpts=-1, val=True)
    runner.val()
    assert not osp.isdir(runner.work_dir) or not checkpoints(runner.work_dir)
