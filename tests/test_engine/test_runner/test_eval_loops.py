"""SafeValLoop / SafeTestLoop: a stop signal ends them after the batch in
progress; inside training, a stop during validation saves a checkpoint from
which the resumed run runs that validation first and ends with the weights
of an uninterrupted run (CPU, fixed seed, bitwise)."""
import os
import os.path as osp
import signal

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from mmsnn.engine import (EvaluationInterrupted, SafeTestLoop, SafeValLoop,
                          TrainingInterrupted, add_reliability_hooks,
                          use_safe_eval_loops)
from tests.tiny_voc import tiny_runner_cfg

#: Two validation batches of one image (the two training images).
TWO_VAL_BATCHES = dict(
    batch_size=1,
    dataset=dict(ann_file='VOC2007/ImageSets/Main/trainval.txt'))


@HOOKS.register_module()
class SignalAtValIterHook(Hook):
    """Sends SIGTERM to this process in validation / test batch ``at`` of
    the ``nth`` validation (1-based); counts validations in
    ``validations``."""

    validations = []
    rng_at_epoch = {}

    def __init__(self, at=0, nth=1):
        self.at, self.nth = at, nth
        self.seen = 0

    def before_val(self, runner):
        self.seen += 1
        self.validations.append(runner.iter)

    def before_train_epoch(self, runner):
        # torch's generator as the epoch starts: the validation's loader
        # draws from it, so a resumed validation must start from where the
        # stopped one did
        self.rng_at_epoch[runner.epoch] = torch.get_rng_state()

    def before_val_iter(self, runner, batch_idx, data_batch=None):
        if self.seen == self.nth and batch_idx == self.at:
            os.kill(os.getpid(), signal.SIGTERM)

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


def train(tmp_path, work_dir, hooks=(), **kwargs):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=2, val=True,
                          work_dir=str(work_dir),
                          val_dataloader=TWO_VAL_BATCHES, **kwargs)
    add_reliability_hooks(cfg)
    cfg.custom_hooks += list(hooks)
    runner = Runner.from_cfg(cfg)
    assert type(runner.val_loop) is SafeValLoop
    SignalAtValIterHook.validations = []
    runner.train()
    return runner.model.state_dict()


def test_stop_in_the_first_validation_resumes_with_it_exactly(tmp_path):
    straight = train(tmp_path, tmp_path / 'straight',
                     [dict(type='SignalAtValIterHook', nth=99)])
    assert SignalAtValIterHook.validations == [1, 2]
    rng = SignalAtValIterHook.rng_at_epoch.pop(1)
    work_dir = tmp_path / 'stopped'
    with pytest.raises(TrainingInterrupted) as info:
        train(tmp_path, work_dir, [dict(type='SignalAtValIterHook', at=0)])
    stop = info.value
    assert (stop.stage, stop.epoch, stop.iteration) == ('val', 1, 1)
    assert stop.checkpoint == str(work_dir / 'interrupted_iter_1.pth')
    assert SignalAtValIterHook.validations == [1]

    resumed = train(tmp_path, work_dir,
                    [dict(type='SignalAtValIterHook', nth=99)], resume=True)
    assert SignalAtValIterHook.validations == [1, 2]  # that one again
    assert SignalAtValIterHook.rng_at_epoch[1].equal(rng)
    assert [k for k in straight if not straight[k].equal(resumed[k])] == []
    assert not osp.exists(stop.checkpoint)  # replaced by epoch_2.pth


def test_stop_in_the_last_batch_of_the_last_validation_is_a_stop(tmp_path):
    """Its metrics and best checkpoint are not written yet: the run stops
    with that validation still to run, not as finished."""
    with pytest.raises(TrainingInterrupted) as info:
        train(tmp_path, tmp_path / 'wd',
              [dict(type='SignalAtValIterHook', at=1, nth=2)])
    assert (info.value.stage, info.value.iteration) == ('val', 2)


@HOOKS.register_module()
class SignalAfterTrainHook(Hook):
    """Sends SIGTERM in ``after_train``, after the loop's last look."""

    def after_train(self, runner):
        os.kill(os.getpid(), signal.SIGTERM)


def test_a_signal_after_the_run_has_finished_is_still_reported(tmp_path):
    """Nothing is left to save, but the run ends as stopped (a job script
    sees 143), naming its last checkpoint."""
    cfg = tiny_runner_cfg(tmp_path, max_epochs=1)
    add_reliability_hooks(cfg)
    cfg.custom_hooks.append(dict(type='SignalAfterTrainHook'))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(TrainingInterrupted) as info:
        runner.train()
    assert info.value.stage == 'finished'
    assert info.value.checkpoint == osp.join(cfg.work_dir, 'epoch_1.pth')
    assert str(info.value) == (
        'SIGTERM came after training had finished (iteration 1, epoch 1): '
        f'nothing was lost; the last checkpoint is {info.value.checkpoint}')


@pytest.mark.parametrize('loop', ['val', 'test'])
def test_on_their_own_the_loops_stop_after_the_batch(tmp_path, loop):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=1, val=True,
                          val_dataloader=TWO_VAL_BATCHES,
                          test_dataloader=TWO_VAL_BATCHES)
    use_safe_eval_loops(cfg)
    cfg.custom_hooks = [dict(type='SignalAtValIterHook', at=0)]
    runner = Runner.from_cfg(cfg)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(EvaluationInterrupted) as info:
        getattr(runner, loop)()
    assert signal.getsignal(signal.SIGTERM) is handler  # put back
    stage = 'validation' if loop == 'val' else 'testing'
    assert str(info.value) == (f'{stage} stopped by SIGTERM after 1 of 2 '
                               'batches; nothing of it was written (metrics '
                               'and outputs are written at the end)')
    assert type(getattr(runner, f'{loop}_loop')) is (
        SafeValLoop if loop == 'val' else SafeTestLoop)


@pytest.mark.parametrize('loop_cfg, expected', [
    (dict(type='ValLoop'), 'SafeValLoop'),
    (dict(type='mmengine.ValLoop'), 'SafeValLoop'),
    (dict(), 'SafeValLoop'),  # the Runner's default
    (dict(type='TestLoop'), 'TestLoop'),  # not the loop it replaces
])
def test_use_safe_eval_loops_swaps_mmengines_loops(loop_cfg, expected):
    cfg = use_safe_eval_loops(Config(dict(val_cfg=dict(loop_cfg),
                                          test_cfg=None)))
    assert cfg.val_cfg.type == expected
    assert cfg.test_cfg is None
