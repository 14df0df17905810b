"""A NaN loss or gradient stops training in its iteration with the loss
terms, the parameters and the batch's files, a checkpoint with non-finite
tensors is never written, and the last checkpoint on disk stays the last
good one. (The gradient check leaves training bit-identical:
tests/test_engine/test_runner/test_loops.py::
test_no_signal_trains_as_mmengines_loop compares with mmengine's loop
without the hooks.)"""
import math
import os
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmdet.registry import HOOKS
from mmsnn.engine import (NonFiniteCheckpointError, NonFiniteGradientError,
                          NonFiniteLossError, add_reliability_hooks)
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


@HOOKS.register_module()
class PoisonGradHook(Hook):
    """The gradient of one weight becomes ``value`` in iteration ``at``
    (the loss stays finite): what BatchNorm's backward on a batch with
    nothing in it does."""

    def __init__(self, at, value=math.nan):
        self.at, self.value, self.handle = at, value, None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            bias = runner.model.bbox_head.convs_pred[0].bias
            self.handle = bias.register_hook(
                lambda g: torch.full_like(g, self.value))

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.handle is not None:
            self.handle.remove()
            self.handle = None


@pytest.mark.parametrize('value, kind', [(math.nan, 'nan'), (math.inf, 'inf')])
def test_nonfinite_gradient_stops_in_its_iteration(tmp_path, value, kind):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=3)
    add_reliability_hooks(cfg)
    cfg.custom_hooks.append(dict(type='PoisonGradHook', at=1, value=value))
    cfg.optim_wrapper.clip_grad = None  # clipping would spread the NaN
    runner = Runner.from_cfg(cfg)
    with pytest.raises(NonFiniteGradientError) as e:
        runner.train()
    msg = str(e.value)
    assert ('the gradient is not finite at iteration 2 (epoch 2, batch 1) '
            'although the loss is (loss=') in msg
    assert f'1 of {len(list(runner.model.parameters()))} parameters' in msg
    assert f'bbox_head.convs_pred.0.bias ({kind})' in msg
    assert 'The batch: ' + str(tmp_path / 'data/VOC2007/JPEGImages') in msg
    good = osp.join(cfg.work_dir, 'epoch_1.pth')
    assert f'go on from the last good checkpoint:\n    ' in msg and good in msg
    assert runner.iter == 1  # stopped in that iteration, not at the epoch end
    assert sorted(f for f in os.listdir(cfg.work_dir)
                  if f.endswith('.pth')) == ['epoch_1.pth']


def test_with_clipping_the_spread_nan_is_said(tmp_path):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=1)
    add_reliability_hooks(cfg)
    cfg.custom_hooks.append(dict(type='PoisonGradHook', at=0))
    assert cfg.optim_wrapper.clip_grad  # (mmdet's YOLOv3: max_norm=35)
    with pytest.raises(NonFiniteGradientError) as e:
        Runner.from_cfg(cfg).train()
    assert 'gradient clipping by norm spread a non-finite total norm over ' \
        'every gradient' in str(e.value)


def test_without_the_gradient_check_the_epoch_is_lost(tmp_path):
    """check_grad=False: the NaN gradient of iteration 1 passes, the
    weights become NaN while the loss is still finite, and only the
    checkpoint at the end of the epoch stops training (the issue's case)."""
    cfg = tiny_runner_cfg(tmp_path, max_epochs=1)
    add_reliability_hooks(cfg)
    cfg.custom_hooks = [
        dict(h, check_grad=False) if h['type'] == 'FiniteLossHook' else h
        for h in cfg.custom_hooks
    ] + [dict(type='PoisonGradHook', at=0)]
    cfg.optim_wrapper.clip_grad = None
    runner = Runner.from_cfg(cfg)
    with pytest.raises(NonFiniteCheckpointError):
        runner.train()


def test_amp_steps_are_left_to_the_loss_scaler():
    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from mmsnn.engine.hooks.finite_loss_hook import _optimizers
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1)
    assert _optimizers(OptimWrapper(optimizer)) == [optimizer]
    amp = object.__new__(AmpOptimWrapper)  # (needs a GPU to be built)
    amp.optimizer = optimizer
    assert _optimizers(amp) == []
