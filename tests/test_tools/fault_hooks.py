"""Hooks the tests of tools/train.py's stops load by custom_imports: a run
that diverges for a known reason, which the printed recipe removes, and a
validation slow enough to be interrupted from outside."""
import math
import os.path as osp
import time

from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class DivergeHook(Hook):
    """From iteration ``start`` on, poisons the step while the learning rate
    is above ``max_lr`` with gradients not clipped, or while the batch
    holds the image named ``file``: what a too high learning rate or a bad
    file does, deterministically.

    Args:
        mode (str): ``'loss'``: a weight becomes NaN (so does the loss);
            ``'grad'``: a gradient becomes NaN, the loss stays finite.
        start (int): First iteration (0-based) poisoned.
        max_lr (float, optional): Poison above this learning rate.
        file (str, optional): Poison batches holding this image (its file
            name without extension).
    """

    def __init__(self, mode='loss', start=0, max_lr=None, file=None):
        self.mode, self.start = mode, start
        self.max_lr, self.file = max_lr, file
        self._handle = None

    def _poisons(self, runner, data_batch):
        if runner.iter < self.start:
            return False
        if self.file is not None:
            names = {
                osp.splitext(osp.basename(s.metainfo['img_path']))[0]
                for s in data_batch['data_samples']
            }
            return self.file in names
        lr = runner.optim_wrapper.get_lr()['lr'][0]
        return lr > self.max_lr and not runner.optim_wrapper.clip_grad_kwargs

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if not self._poisons(runner, data_batch):
            return
        bias = runner.model.bbox_head.convs_pred[0].bias
        if self.mode == 'loss':
            bias.data.fill_(math.nan)
        else:
            self._handle = bias.register_hook(lambda g: g * math.nan)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None


@HOOKS.register_module()
class SlowValHook(Hook):
    """Each validation or test batch takes ``seconds`` longer, after its
    log line (lowest priority), so that a signal sent at that line lands
    before the loop looks for one."""

    priority = 'LOWEST'

    def __init__(self, seconds=0.5):
        self.seconds = seconds

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None):
        time.sleep(self.seconds)

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None):
        time.sleep(self.seconds)
