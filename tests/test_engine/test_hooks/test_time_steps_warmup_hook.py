"""TimeStepsWarmupHook: the first epochs at a smaller T, the model's T for
the rest, for every validation and after ``--resume``."""
import os.path as osp

import pytest
import torch
from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmsnn.engine import add_reliability_hooks
from mmsnn.models.time.owner import time_steps_of
from mmsnn.utils.input_error import ConfigValueError
from tests.tiny_voc import tiny_runner_cfg


class RowProbe(Hook):
    """Record the rows stage 1 receives (``T*B``) in each training epoch
    and validation, and the model's T after every run."""

    priority = 'LOWEST'

    def __init__(self, log):
        self.log = log
        self.phase = None

    def before_run(self, runner):
        stage = runner.model.backbone.conv_res_block1

        def record(module, args):
            self.log.append((self.phase, args[0].shape[0]))
        self.handle = stage.register_forward_pre_hook(record)

    def before_train_epoch(self, runner):
        self.phase = f'train{runner.epoch}'

    def before_val_epoch(self, runner):
        self.phase = f'val{runner.epoch}'

    def after_run(self, runner):
        self.handle.remove()
        self.log.append(('after', time_steps_of(runner.model)))


def train(tmp_path, log, max_epochs=3, **overrides):
    # tiny config: T=2, batch 2, one training iteration an epoch
    cfg = tiny_runner_cfg(
        tmp_path, max_epochs=max_epochs, val=True,
        custom_hooks=[dict(type='TimeStepsWarmupHook', time_steps=1,
                           end=2)], **overrides)
    add_reliability_hooks(cfg)  # what tools/train.py does (resume included)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RowProbe(log))
    runner.train()
    return runner


def test_warmup_epochs_run_at_the_smaller_t_and_validation_at_the_model_t(
        tmp_path):
    log = []
    train(tmp_path, log)
    # training batch 2: 1 x 2 rows at T=1 (epochs 0, 1), 2 x 2 at the
    # model's T=2; validation (1 image): 2 x 1 rows, at T=2 each time
    assert log == [('train0', 2), ('val1', 2), ('train1', 2), ('val2', 2),
                   ('train2', 4), ('val3', 2), ('after', (2, ))]


def test_resume_continues_at_the_t_of_the_resumed_epoch(tmp_path):
    train(tmp_path, [])
    work_dir = osp.join(str(tmp_path), 'work_dir')
    log = []
    # Resume after epoch 1 (0-based epoch 1 is still a warm-up epoch).
    train(tmp_path, log, resume=True,
          load_from=osp.join(work_dir, 'epoch_1.pth'))
    assert log == [('train1', 2), ('val2', 2), ('train2', 4), ('val3', 2),
                   ('after', (2, ))]


def test_by_iteration(tmp_path):
    log = []
    # 3 iterations (one an epoch), the first 2 at T=1
    cfg = tiny_runner_cfg(tmp_path, max_epochs=3, val=False, custom_hooks=[
        dict(type='TimeStepsWarmupHook', time_steps=1, end=2,
             by_epoch=False)])
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RowProbe(log))
    runner.train()
    assert log == [('train0', 2), ('train1', 2), ('train2', 4),
                   ('after', (2, ))]


@pytest.mark.parametrize('kwargs, match', [
    (dict(time_steps=0, end=2), 'time_steps must be a positive integer'),
    (dict(time_steps=2, end=-1), 'end must be a non-negative integer'),
    (dict(time_steps=2, end=1.5), 'got 1.5'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ConfigValueError, match=match):
        HOOKS.build(dict(type='TimeStepsWarmupHook', **kwargs))


class FakeRunner:

    def __init__(self, model):
        self.model = model


def test_the_warmup_t_must_be_below_the_model_t():
    from ...conftest import tiny_snn_yolov3_cfg
    from mmdet.registry import MODELS
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=2))
    hook = HOOKS.build(dict(type='TimeStepsWarmupHook', time_steps=2, end=1))
    with pytest.raises(ConfigValueError, match="smaller than the model's T=2"):
        hook.before_train(FakeRunner(model))
    ann = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1), torch.nn.ReLU())
    with pytest.raises(ConfigValueError, match='found none in Sequential'):
        hook.before_train(FakeRunner(ann))
