"""Stop training when the loss or the weights stop being finite numbers."""
import math
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from mmsnn.engine.checkpoint.finite import nonfinite_tensors
from mmsnn.utils import InputError


class NonFiniteLossError(InputError, FloatingPointError):
    """The training loss became NaN or infinite (the tools print it as
    one message: the usual causes are a config's learning rate or data)."""


class NonFiniteCheckpointError(NonFiniteLossError):
    """A checkpoint about to be saved holds NaN or infinite tensors."""


def last_good_checkpoint(runner) -> Optional[str]:
    """The newest complete checkpoint of the run, which passed
    :meth:`FiniteLossHook.before_save_checkpoint`.

    ``<work_dir>/last_checkpoint`` is written only after a checkpoint is
    complete (the checkpoint hook writes it after saving), unlike the
    message hub's ``last_ckpt``, which names the file being saved.
    """
    pointer = osp.join(runner.work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        last = f.read().strip()
    return last if last and osp.isfile(last) else None


def restart_advice(runner, last: Optional[str]) -> str:
    """How to go on from ``last`` with another learning rate: both recipes
    (docs/faults.md)."""
    config = getattr(runner.cfg, 'filename', None) or 'CONFIG'
    if not last:
        return ('No good checkpoint was saved before; start again with a '
                'lower learning rate (--cfg-options '
                'optim_wrapper.optimizer.lr=<lower>) or gradient clipping '
                '(optim_wrapper.clip_grad=dict(max_norm=10)).')
    return (f'The last good checkpoint is {last}. Go on from it with a '
            f'lower learning rate: python tools/train.py {config} --resume '
            f'{last} --reset-lr --cfg-options optim_wrapper.optimizer.lr='
            '<lower> (--reset-lr makes the config\'s learning rate replace '
            'the one stored in the checkpoint; without it --resume restores '
            'the old one), or start a new schedule from its weights: '
            f'python tools/train.py {config} --cfg-options load_from={last} '
            'optim_wrapper.optimizer.lr=<lower>. Gradient clipping '
            '(optim_wrapper.clip_grad=dict(max_norm=10)) helps too.')


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stop training at the first non-finite loss or checkpoint.

    - Unlike mmdet's ``CheckInvalidLossHook`` (an assert every 50
      iterations) the loss is checked every iteration, for free (the logged
      loss terms are already synchronised to the host); the message names
      the iteration, the epoch and every loss term. It runs before the
      checkpoint hook, so the weights of that iteration are never saved.
    - Every checkpoint is checked before it is written: a loss can still be
      finite when a weight, a BN running statistic or an optimizer moment
      already is not (a learning rate far too high). Such a checkpoint is
      not written and training stops, so every checkpoint on disk (and the
      one ``last_checkpoint`` names) is finite: a usable fallback.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not outputs:
            return
        terms = {k: float(v.detach()) if hasattr(v, 'detach') else float(v)
                 for k, v in outputs.items() if k.startswith('loss')}
        if all(math.isfinite(v) for v in terms.values()):
            return
        raise NonFiniteLossError(
            f'Training stopped: the loss is not finite at iteration '
            f'{runner.iter + 1} (epoch {runner.epoch + 1}, batch '
            f'{batch_idx + 1}): ' +
            ', '.join(f'{k}={v:.6g}' for k, v in terms.items()) + '. ' +
            restart_advice(runner, last_good_checkpoint(runner)))

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
            'It was not written. ' +
            restart_advice(runner, last_good_checkpoint(runner)))
