"""A NaN loss stops training with the iteration and the loss terms, a
checkpoint with non-finite tensors is never written, and the last checkpoint
on disk stays the last good one."""
import math
import os
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmdet.registry import HOOKS
from mmsnn.engine import (NonFiniteCheckpointError, NonFiniteLossError,
                          add_reliability_hooks)
from mmsnn.engine.checkpoint import nonfinite_tensors
from tests.tiny_voc import tiny_runner_cfg


@HOOKS.register_module()
class PoisonWeightsHook(Hook):
    """Makes the loss NaN from a given epoch on (a diverged run)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.epoch == self.epoch:
            with torch.no_grad():
                runner.model.bbox_head.convs_pred[0].bias.fill_(math.nan)


def test_nan_loss_stops_training_and_keeps_last_good_checkpoint(tmp_path):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=3)
    add_reliability_hooks(cfg)
    cfg.custom_hooks.append(dict(type='PoisonWeightsHook', epoch=1))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(NonFiniteLossError) as e:
        runner.train()
    msg = str(e.value)
    good = osp.join(cfg.work_dir, 'epoch_1.pth')
    # One iteration an epoch: the second iteration is the first bad one.
    assert 'iteration 2 (epoch 2' in msg
    assert 'loss=nan' in msg and 'loss_cls=nan' in msg and 'loss_wh=' in msg
    assert good in msg and '--resume' in msg
    assert sorted(f for f in os.listdir(cfg.work_dir)
                  if f.endswith('.pth')) == ['epoch_1.pth']
    state = _load_checkpoint(good)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())


@HOOKS.register_module()
class PoisonRunningVarHook(Hook):
    """A BN running variance becomes infinite while the loss stays finite
    (train-mode BN normalises with batch statistics): what a far too high
    learning rate does."""

    def __init__(self, epoch):
        self.epoch = epoch

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.epoch == self.epoch:
            bn = next(m for m in runner.model.modules()
                      if isinstance(m, torch.nn.BatchNorm2d))
            bn.running_var.fill_(math.inf)


def test_checkpoint_with_infinite_buffer_is_not_saved(tmp_path):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=3)
    add_reliability_hooks(cfg)
    cfg.custom_hooks.append(dict(type='PoisonRunningVarHook', epoch=1))
    runner = Runner.from_cfg(cfg)
    bad_key = next(k for k, v in runner.model.state_dict().items()
                   if k.endswith('running_var'))
    with pytest.raises(NonFiniteCheckpointError) as e:
        runner.train()
    msg = str(e.value)
    good = osp.join(cfg.work_dir, 'epoch_1.pth')
    assert f'state_dict.{bad_key} (inf in ' in msg
    assert 'epoch 2 / iteration 2' in msg and 'not written' in msg
    # Both restart recipes, naming the last good checkpoint.
    assert f'--resume {good} --reset-lr' in msg
    assert f'load_from={good} optim_wrapper.optimizer.lr=' in msg
    assert sorted(f for f in os.listdir(cfg.work_dir)
                  if f.endswith('.pth')) == ['epoch_1.pth']
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        assert f.read() == good
    assert not nonfinite_tensors(_load_checkpoint(good))


def test_nonfinite_tensors_looks_at_buffers_and_optimizer_state():
    checkpoint = dict(
        state_dict={'a.weight': torch.ones(3),
                    'a.running_var': torch.tensor([1., math.inf, 2.]),
                    'a.num_batches_tracked': torch.tensor(3)},
        optimizer=dict(state={0: dict(exp_avg=torch.tensor([math.nan] * 2),
                                      step=torch.tensor(1.))},
                       param_groups=[dict(lr=0.1)]))
    assert nonfinite_tensors(checkpoint) == [
        'state_dict.a.running_var (inf in 1 of 3 values)',
        'optimizer.state.0.exp_avg (nan in 2 of 2 values)']
    assert nonfinite_tensors(checkpoint, ('state_dict', )) == [
        'state_dict.a.running_var (inf in 1 of 3 values)']
    # A bare state_dict is the model.
    assert nonfinite_tensors({'w': torch.tensor([-math.inf])}) == [
        'state_dict.w (inf in 1 of 1 values)']
