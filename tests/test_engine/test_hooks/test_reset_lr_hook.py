"""--resume restores the checkpoint's learning rate; ResetLrHook
(tools/train.py --reset-lr) makes the config's win, keeping the schedule's
shape."""
import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmdet.registry import HOOKS
from mmsnn.engine import add_reliability_hooks
from tests.tiny_voc import tiny_runner_cfg


@HOOKS.register_module()
class RecordLrHook(Hook):
    """Records the learning rate each iteration trains with."""

    def __init__(self):
        self.lrs = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append(runner.optim_wrapper.param_groups[0]['lr'])


def train(tmp_path, work_dir, lr, hooks=(), **kwargs):
    cfg = tiny_runner_cfg(tmp_path, max_epochs=4, work_dir=work_dir,
                          **kwargs)
    cfg.optim_wrapper.optimizer.lr = lr
    add_reliability_hooks(cfg)
    cfg.custom_hooks += [dict(type='RecordLrHook'), *hooks]
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook, = [h for h in runner.hooks if isinstance(h, RecordLrHook)]
    return runner, hook.lrs


def test_config_lr_replaces_the_resumed_one(tmp_path):
    work_dir = str(tmp_path / 'wd')
    cfg = tiny_runner_cfg(tmp_path, max_epochs=4)
    cosine = cfg.param_scheduler[0]
    eta_min = cosine['eta_min']

    # The first two epochs, then resumed at another lr.
    train(tmp_path, work_dir, 1e-2,
          train_cfg=dict(max_epochs=2, val_interval=3))
    resume = dict(resume=True, load_from=f'{work_dir}/epoch_2.pth')
    _, kept = train(tmp_path, work_dir, 1e-3, **resume)
    # mmengine: the old schedule (cosine from 1e-2 over 4 steps, at step 2).
    assert kept[0] == pytest.approx(eta_min + (1e-2 - eta_min) / 2)
    runner, reset = train(tmp_path, work_dir, 1e-3,
                          hooks=[dict(type='ResetLrHook')], **resume)
    # The resumed step's lr, scaled by new base / old base (0.1); the
    # cosine then goes on from it (its eta_min is absolute, not scaled).
    assert reset[0] == pytest.approx(kept[0] * 0.1, rel=1e-9)
    assert eta_min < reset[1] < reset[0] < 1e-3
    groups = runner.optim_wrapper.param_groups
    assert [g['initial_lr'] for g in groups] == pytest.approx(
        [1e-3] * len(groups))
    scheduler, = runner.param_schedulers
    assert scheduler.base_values == pytest.approx([1e-3] * len(groups))
