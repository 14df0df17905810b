"""Stop training when the loss, the gradients or the weights stop being
finite numbers."""
import math
from collections import defaultdict
from typing import List, Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict

from mmdet.registry import HOOKS
from mmsnn.engine.checkpoint.finite import nonfinite_tensors
from mmsnn.engine.last_checkpoint import last_good_checkpoint
from mmsnn.engine.restart_advice import batch_files, restart_advice
from mmsnn.utils import InputError

# How many parameters and files a message lists.
_LISTED = 5


class NonFiniteLossError(InputError, FloatingPointError):
    """The training loss became NaN or infinite (the tools print it as
    one message: the usual causes are a config's learning rate or data)."""


class NonFiniteGradientError(NonFiniteLossError):
    """The gradients of a step hold NaN or infinity."""


class NonFiniteCheckpointError(NonFiniteLossError):
    """A checkpoint about to be saved holds NaN or infinite tensors."""


def _optimizers(optim_wrapper) -> List[torch.optim.Optimizer]:
    """The optimizers whose gradients to check: all but those of
    ``AmpOptimWrapper``, whose loss scaler skips a step with non-finite
    gradients (and lowers the scale) as a matter of course."""
    wrappers = (optim_wrapper.values()
                if isinstance(optim_wrapper, OptimWrapperDict) else
                [optim_wrapper])
    return [w.optimizer for w in wrappers
            if not isinstance(w, AmpOptimWrapper)]


class _GradientCheck:
    """The finiteness of one optimizer step's gradients, computed on the
    device without waiting for it (read later, with the loss).

    One multi-tensor norm per device and dtype (``torch._foreach_norm``, as
    ``clip_grad_norm_`` computes it), stacked and reduced to one flag: a
    few kernel launches a step and no synchronisation; the gradients are
    only read.
    """

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        groups = defaultdict(list)
        for group in optimizer.param_groups:
            for p in group['params']:
                if p.grad is not None and not p.grad.is_sparse:
                    groups[(p.grad.device, p.grad.dtype)].append(p)
        self.params: List[torch.Tensor] = []
        self.norms: List[torch.Tensor] = []
        self.flags: List[torch.Tensor] = []
        for params in groups.values():
            norms = torch.stack(
                torch._foreach_norm([p.grad for p in params]))
            self.params += params
            self.norms.append(norms)
            self.flags.append(norms.isfinite().all())

    def finite(self) -> bool:
        return all(bool(flag) for flag in self.flags)

    def bad(self) -> List[tuple]:
        """``(parameter, 'nan' or 'inf')`` for each non-finite gradient."""
        norms = torch.cat([n.float().cpu() for n in self.norms])
        return [(p, 'nan' if math.isnan(n) else 'inf')
                for p, n in zip(self.params, norms.tolist())
                if not math.isfinite(n)]


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stop training at the first non-finite loss, gradient or checkpoint.

    - Unlike mmdet's ``CheckInvalidLossHook`` (an assert every 50
      iterations) the loss is checked every iteration, for free (the logged
      loss terms are already synchronised to the host); the message names
      the iteration, the epoch, every loss term and the batch's files. It
      runs before the checkpoint hook, so the weights of that iteration are
      never saved.
    - With ``check_grad``, every optimizer step's gradients are checked
      too (a step pre-hook on the optimizer computes one flag on the
      device, read with the loss in the same iteration): a gradient can be
      NaN while the loss is finite (BatchNorm's backward on a batch with
      nothing in it), and the weights become NaN without the loss showing
      it for a while. Steps of ``AmpOptimWrapper`` are left to its loss
      scaler, which skips non-finite ones by design. The gradients are
      only read: training computes exactly what it would without the
      check.
    - Every checkpoint is checked before it is written: a loss can still be
      finite when a weight, a BN running statistic or an optimizer moment
      already is not (a learning rate far too high). Such a checkpoint is
      not written and training stops, so every checkpoint on disk (and the
      one ``last_checkpoint`` names) is finite: a usable fallback.

    Each message ends with the commands that go on from the last good
    checkpoint (:func:`~mmsnn.engine.restart_advice.restart_advice`), built
    from ``command``.

    Args:
        check_grad (bool): Check the gradients of every step.
            Defaults to True.
        command (Sequence[str], optional): The command line that started
            the run (:func:`mmsnn.utils.tool_command.tool_command`;
            tools/train.py passes it); without it the advice prints
            ``python tools/train.py CONFIG --work-dir WORK_DIR``.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 check_grad: bool = True,
                 command: Optional[Sequence[str]] = None) -> None:
        self.check_grad = check_grad
        self.command = list(command) if command else None
        self._handles: list = []
        self._checks: List[_GradientCheck] = []

    def before_train(self, runner) -> None:
        if not self.check_grad:
            return
        for optimizer in _optimizers(runner.optim_wrapper):
            self._handles.append(
                optimizer.register_step_pre_hook(self._check_step))

    def after_train(self, runner) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles, self._checks = [], []

    def _check_step(self, optimizer, args, kwargs) -> None:
        self._checks.append(_GradientCheck(optimizer))

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        checks, self._checks = self._checks, []
        terms = {k: float(v.detach()) if hasattr(v, 'detach') else float(v)
                 for k, v in (outputs or {}).items() if k.startswith('loss')}
        loss_finite = all(math.isfinite(v) for v in terms.values())
        failed = [c for c in checks if not c.finite()]
        if loss_finite and not failed:
            return
        where = (f'at iteration {runner.iter + 1} (epoch {runner.epoch + 1}, '
                 f'batch {batch_idx + 1})')
        losses = ', '.join(f'{k}={v:.6g}' for k, v in terms.items())
        files = batch_files(data_batch, _LISTED)
        batch = f' The batch: {files}.' if files else ''
        last = last_good_checkpoint(runner.work_dir)
        if not loss_finite:
            raise NonFiniteLossError(
                f'Training stopped: the loss is not finite {where}: '
                f'{losses}.{batch} ' +
                restart_advice(runner, last, self.command, 'diverged'))
        bad = [b for c in failed for b in c.bad()]
        total = sum(len(c.params) for c in checks)
        names = {p: n for n, p in runner.model.named_parameters()}
        listed = ', '.join(f'{names.get(p, "?")} ({kind})'
                           for p, kind in bad[:_LISTED])
        clipped = (' (gradient clipping by norm spread a non-finite total '
                   'norm over every gradient)'
                   if getattr(runner.optim_wrapper, 'clip_grad_kwargs', None)
                   and len(bad) == total else '')
        raise NonFiniteGradientError(
            f'Training stopped: the gradient is not finite {where} although '
            f'the loss is ({losses}): {len(bad)} of {total} parameters have '
            f'a NaN or infinite gradient{clipped}: {listed}'
            f'{" ..." if len(bad) > _LISTED else ""}.{batch} The step was '
            'not saved. ' +
            restart_advice(runner, last, self.command, 'gradient'))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = nonfinite_tensors(checkpoint)
        if not bad:
            return
        meta = checkpoint.get('meta', {})
        raise NonFiniteCheckpointError(
            'Training stopped: the checkpoint of epoch '
            f'{meta.get("epoch")} / iteration {meta.get("iter")} would hold '
            f'non-finite values in {len(bad)} tensor(s): ' +
            '; '.join(bad[:5]) + (' ...' if len(bad) > 5 else '') +
            ' (the training diverged although the loss was still finite). '
            'It was not written. ' + restart_advice(
                runner, last_good_checkpoint(runner.work_dir), self.command,
                'diverged'))
