"""SafeEpochBasedTrainLoop: a stop signal ends training after the current
iteration with a checkpoint, and resuming from it mid-epoch gives the
weights of an uninterrupted run (CPU, fixed seed, bitwise)."""
import os
import os.path as osp
import re
import signal

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, Runner

from mmdet.registry import HOOKS
from mmsnn.engine import (SafeEpochBasedTrainLoop, SafeIterBasedTrainLoop,
                          TrainingInterrupted, add_reliability_hooks)
from mmsnn.utils import InputError
from tests.tiny_voc import tiny_runner_cfg

# 2 images, batch 1: 2 iterations an epoch, 4 in all.
EPOCHS = 2


@HOOKS.register_module()
class SignalAtIterHook(Hook):
    """Sends ``signum`` to this process during iteration ``at`` (0-based):
    what SLURM's preemption or Ctrl-C does at a random moment."""

    def __init__(self, at, signum=int(signal.SIGTERM), times=1):
        self.at, self.signum, self.times = at, signum, times

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            for _ in range(self.times):
                os.kill(os.getpid(), self.signum)


def train(tmp_path, work_dir, hooks=(), num_workers=0, **kwargs):
    cfg = tiny_runner_cfg(
        tmp_path, max_epochs=EPOCHS, work_dir=work_dir,
        train_dataloader=dict(batch_size=1, num_workers=num_workers),
        **kwargs)
    add_reliability_hooks(cfg)  # what tools/train.py does
    cfg.custom_hooks += list(hooks)
    runner = Runner.from_cfg(cfg)
    assert type(runner.train_loop) is SafeEpochBasedTrainLoop
    runner.train()
    return runner.model.state_dict()


@pytest.fixture(scope='module')
def straight(tmp_path_factory):
    """``straight(num_workers)``: the weights of an uninterrupted run with
    the safe loop (trained once per module and loader setting)."""
    runs = {}

    def weights(num_workers=0):
        if num_workers not in runs:
            tmp_path = tmp_path_factory.mktemp(f'straight{num_workers}')
            runs[num_workers] = train(tmp_path, str(tmp_path / 'work_dir'),
                                      num_workers=num_workers)
        return runs[num_workers]

    return weights


def differing(a, b):
    assert a.keys() == b.keys()
    return [k for k in a if not torch.equal(a[k], b[k])]


def assert_resumed_exactly(expected, resumed, stopped, last):
    """The resumed run ended with the uninterrupted run's weights, and its
    later checkpoint ``last`` replaced the stop's checkpoint ``stopped``
    (file removed, ``last_checkpoint`` moved on)."""
    diff = differing(expected, resumed)
    assert not diff, f'{len(diff)} tensors differ, e.g. {diff[:3]}'
    assert not osp.exists(stopped)
    with open(osp.join(osp.dirname(last), 'last_checkpoint')) as f:
        assert f.read() == last


# Stopped after the first batch of epoch 2 or of epoch 1, so that batches of
# the epoch follow the ones drawn again; the data drawn in the main process
# (its random state must be put back after them), or in a worker as the
# mini-VOC configs do.
@pytest.mark.parametrize('at, num_workers', [(2, 0), (0, 1)])
def test_stop_signal_saves_and_resume_mid_epoch_is_exact(
        tmp_path, straight, at, num_workers):
    work_dir = str(tmp_path / 'stopped')
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(TrainingInterrupted) as info:
        train(tmp_path, work_dir, num_workers=num_workers,
              hooks=[dict(type='SignalAtIterHook', at=at)])
    assert signal.getsignal(signal.SIGTERM) is handler  # put back
    stop = info.value
    assert (stop.signum, stop.epoch, stop.iteration) == (
        signal.SIGTERM, at // 2, at + 1)
    assert stop.checkpoint == osp.join(work_dir,
                                       f'interrupted_iter_{at + 1}.pth')
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == stop.checkpoint
    assert osp.isfile(stop.checkpoint)

    resumed = train(tmp_path, work_dir, num_workers=num_workers, resume=True)
    assert_resumed_exactly(straight(num_workers), resumed, stop.checkpoint,
                           osp.join(work_dir, f'epoch_{EPOCHS}.pth'))


def test_mmengines_loop_retrains_the_epoch_after_a_mid_epoch_checkpoint(
        tmp_path, straight):
    """The gap the loop closes: with mmengine's EpochBasedTrainLoop the same
    checkpoint resumes into a run that differs from the uninterrupted one
    (strict xfail would hide which assertion fails, so it is asserted)."""
    work_dir = str(tmp_path / 'stopped')
    with pytest.raises(TrainingInterrupted):
        train(tmp_path, work_dir,
              hooks=[dict(type='SignalAtIterHook', at=2)])
    cfg = tiny_runner_cfg(
        tmp_path, max_epochs=EPOCHS, work_dir=work_dir, resume=True,
        train_dataloader=dict(batch_size=1))
    add_reliability_hooks(cfg)
    cfg.train_cfg.type = 'EpochBasedTrainLoop'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert differing(straight(), runner.model.state_dict())


def test_resume_with_another_epoch_length_is_refused(tmp_path):
    """Batch 2 instead of 1: the batches already trained in the cut epoch
    cannot be found again, so resuming names the file and both lengths."""
    work_dir = str(tmp_path / 'stopped')
    with pytest.raises(TrainingInterrupted) as info:
        train(tmp_path, work_dir,
              hooks=[dict(type='SignalAtIterHook', at=2)])
    cfg = tiny_runner_cfg(tmp_path, max_epochs=EPOCHS, work_dir=work_dir,
                          resume=True, train_dataloader=dict(batch_size=2))
    add_reliability_hooks(cfg)
    with pytest.raises(InputError, match=re.escape(
            f'--resume: {info.value.checkpoint} was written 3 iterations '
            'into training, in an epoch of 2 batches, but this run\'s '
            'train_dataloader gives 1 batches an epoch')):
        Runner.from_cfg(cfg).train()


@HOOKS.register_module()
class CrashAtIterHook(Hook):
    """A crash (not a signal) at the start of iteration ``at``."""

    def __init__(self, at):
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            raise RuntimeError('crash')


def test_resume_from_an_iteration_checkpoint_mid_epoch_is_exact(
        tmp_path, straight):
    """Checkpoints every 3 iterations in an epoch-based run: the one of
    iteration 3, inside epoch 2, resumes exactly too; with another epoch
    length it is refused."""
    work_dir = str(tmp_path / 'crashed')
    every_3 = dict(default_hooks=dict(
        checkpoint=dict(by_epoch=False, interval=3)))
    with pytest.raises(RuntimeError, match='crash'):
        train(tmp_path, work_dir, hooks=[dict(type='CrashAtIterHook', at=3)],
              **every_3)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work_dir, 'iter_3.pth')

    cfg = tiny_runner_cfg(tmp_path, max_epochs=EPOCHS, work_dir=work_dir,
                          resume=True, train_dataloader=dict(batch_size=2),
                          **every_3)
    add_reliability_hooks(cfg)
    with pytest.raises(InputError, match=re.escape(
            '--resume: the checkpoint is 3 iterations into training, 2 '
            'batches into epoch 2, but this run\'s train_dataloader gives 1 '
            'batches an epoch')):
        Runner.from_cfg(cfg).train()

    resumed = train(tmp_path, work_dir, resume=True, **every_3)
    diff = differing(straight(), resumed)
    assert not diff, f'{len(diff)} tensors differ, e.g. {diff[:3]}'


def test_second_signal_stops_at_once(tmp_path):
    """Ctrl-C twice: the second one raises KeyboardInterrupt where it lands,
    without a checkpoint of the iteration."""
    work_dir = str(tmp_path / 'stopped')
    with pytest.raises(KeyboardInterrupt) as info:
        train(tmp_path, work_dir, hooks=[
            dict(type='SignalAtIterHook', at=2, signum=int(signal.SIGINT),
                 times=2)
        ])
    assert not isinstance(info.value, TrainingInterrupted)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not [f for f in os.listdir(work_dir) if f.startswith('interrupt')]


def test_no_signal_trains_as_mmengines_loop(tmp_path, straight):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=EPOCHS,
                          work_dir=str(tmp_path / 'stock'),
                          train_dataloader=dict(batch_size=1))
    runner = Runner.from_cfg(cfg)
    assert type(runner.train_loop).__name__ == 'EpochBasedTrainLoop'
    runner.train()
    assert not differing(straight(), runner.model.state_dict())


@pytest.mark.parametrize('train_cfg, loop_type', [
    (dict(type='EpochBasedTrainLoop'), 'SafeEpochBasedTrainLoop'),
    (dict(type='mmengine.EpochBasedTrainLoop'), 'SafeEpochBasedTrainLoop'),
    (dict(type=EpochBasedTrainLoop), 'SafeEpochBasedTrainLoop'),
    (dict(by_epoch=True), 'SafeEpochBasedTrainLoop'),
    (dict(type='IterBasedTrainLoop'), 'SafeIterBasedTrainLoop'),
    (dict(type='mmengine.IterBasedTrainLoop'), 'SafeIterBasedTrainLoop'),
    (dict(by_epoch=False), 'SafeIterBasedTrainLoop'),
    (dict(type='ValLoop'), 'ValLoop'),  # not a training loop it knows
    (dict(), None),  # the Runner refuses it; left for it to say so
])
def test_add_reliability_hooks_swaps_mmengines_training_loops(
        train_cfg, loop_type):
    cfg = add_reliability_hooks(
        Config(dict(train_cfg=dict(train_cfg, max_epochs=2))))
    assert cfg.train_cfg.get('type') == loop_type
    # The Runner takes `type` or `by_epoch`, not both.
    assert loop_type is None or 'by_epoch' not in cfg.train_cfg
    assert cfg.train_cfg.max_epochs == 2


# Iteration-based training: 4 iterations of batch 1, validation every 2.
ITERS = 4


@HOOKS.register_module()
class CountValidationsHook(Hook):
    """Records ``runner.iter`` at each validation in ``validated_at``."""

    validated_at = []

    def before_val(self, runner):
        self.validated_at.append(runner.iter)


def train_iters(tmp_path, work_dir, hooks=(), num_workers=0, loop=None,
                **kwargs):
    cfg = tiny_runner_cfg(
        tmp_path, work_dir=work_dir, val=True,
        train_dataloader=dict(
            batch_size=1, num_workers=num_workers,
            sampler=dict(type='InfiniteSampler', shuffle=True)),
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop',
                       max_iters=ITERS, val_interval=2),
        param_scheduler=dict(_delete_=True, type='CosineAnnealingLR',
                             eta_min=1e-4, T_max=ITERS, by_epoch=False),
        default_hooks=dict(checkpoint=dict(by_epoch=False, interval=2)),
        log_processor=dict(by_epoch=False), **kwargs)
    add_reliability_hooks(cfg)  # what tools/train.py does
    if loop is not None:
        cfg.train_cfg.type = loop
    cfg.custom_hooks += list(hooks) + [dict(type='CountValidationsHook')]
    CountValidationsHook.validated_at.clear()
    runner = Runner.from_cfg(cfg)
    assert type(runner.train_loop) is (
        SafeIterBasedTrainLoop if loop is None else IterBasedTrainLoop)
    runner.train()
    return runner.model.state_dict()


@pytest.fixture(scope='module')
def straight_iters(tmp_path_factory):
    """``straight_iters(num_workers)``: the weights and validation
    iterations of an uninterrupted iteration-based run."""
    runs = {}

    def weights(num_workers=0):
        if num_workers not in runs:
            tmp_path = tmp_path_factory.mktemp(f'iters{num_workers}')
            runs[num_workers] = train_iters(
                tmp_path, str(tmp_path / 'work_dir'),
                num_workers=num_workers)
            assert CountValidationsHook.validated_at == [2, 4]
        return runs[num_workers]

    return weights


# Stopped in iteration 2, whose validation is then still to run (the
# resumed run runs it first), and in iteration 1, between checkpoints.
@pytest.mark.parametrize('at, num_workers', [(1, 0), (0, 1), (2, 0)])
def test_iteration_loop_stops_with_a_checkpoint_and_resumes_exactly(
        tmp_path, straight_iters, at, num_workers):
    expected = straight_iters(num_workers)
    work_dir = str(tmp_path / 'stopped')
    with pytest.raises(TrainingInterrupted) as info:
        train_iters(tmp_path, work_dir, num_workers=num_workers,
                    hooks=[dict(type='SignalAtIterHook', at=at)])
    stop = info.value
    assert (stop.signum, stop.iteration) == (signal.SIGTERM, at + 1)
    assert CountValidationsHook.validated_at == [2][:at // 2]
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == stop.checkpoint == osp.join(
            work_dir, f'interrupted_iter_{at + 1}.pth')

    resumed = train_iters(tmp_path, work_dir, num_workers=num_workers,
                          resume=True)
    assert CountValidationsHook.validated_at == [2, 4][at // 2:]
    assert_resumed_exactly(expected, resumed, stop.checkpoint,
                           osp.join(work_dir, f'iter_{ITERS}.pth'))


def test_mmengines_iteration_loop_resumes_with_other_augmentations(
        tmp_path, straight_iters):
    """The gap: mmengine's IterBasedTrainLoop draws the trained batches
    again with the main process's random state running on, so the
    RandomFlip draws after the resume are not the uninterrupted run's."""
    work_dir = str(tmp_path / 'stopped')
    with pytest.raises(TrainingInterrupted):
        train_iters(tmp_path, work_dir,
                    hooks=[dict(type='SignalAtIterHook', at=1)])
    resumed = train_iters(tmp_path, work_dir, resume=True,
                          loop='IterBasedTrainLoop')
    assert differing(straight_iters(), resumed)
