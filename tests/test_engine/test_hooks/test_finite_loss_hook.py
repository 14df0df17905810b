"""A NaN loss stops training with the iteration and the loss terms, and the
last checkpoint on disk stays the last good one."""
import math
import os
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmdet.registry import HOOKS
from mmsnn.engine import NonFiniteLossError, add_reliability_hooks
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
