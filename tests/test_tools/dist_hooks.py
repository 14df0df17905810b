"""Hooks the distributed tests load into tools/train.py by custom_imports.

They record, per rank, what only the rank itself can see: the weights it
ended with and the checkpoints it saved; and one sends a signal to one rank.
"""
import os
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class RankRecordHook(Hook):
    """Writes ``weights_rank{r}.pth``, the unwrapped model's parameters and
    persistent buffers as ``dict(params=..., buffers=...)``, after training,
    and appends ``rank epoch`` to ``saves.txt`` whenever a rank saves a
    checkpoint; both in the work dir."""

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        with open(osp.join(runner.work_dir, 'saves.txt'), 'a') as f:
            f.write(f'{get_rank()} {checkpoint["meta"]["epoch"]}\n')

    def after_train(self, runner) -> None:
        model = getattr(runner.model, 'module', runner.model)
        state = model.state_dict()  # persistent buffers only
        params = {k: v.detach() for k, v in model.named_parameters()}
        torch.save(
            dict(params=params,
                 buffers={k: v for k, v in state.items() if k not in params}),
            osp.join(runner.work_dir, f'weights_rank{get_rank()}.pth'))


@HOOKS.register_module()
class SignalRankHook(Hook):
    """Sends ``signum`` (SIGTERM) to rank ``rank`` alone, in iteration
    ``at``: a signal that reaches one process of a distributed job."""

    def __init__(self, rank: int, at: int, signum: int = 15) -> None:
        self.rank, self.at, self.signum = rank, at, signum

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if get_rank() == self.rank and runner.iter == self.at:
            os.kill(os.getpid(), self.signum)
