"""Stop training when the loss stops being a finite number."""
import math
from typing import Optional

from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from mmsnn.utils import InputError


class NonFiniteLossError(InputError, FloatingPointError):
    """The training loss became NaN or infinite (the tools print it as
    one message: the usual causes are a config's learning rate or data)."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stop training at the first iteration whose loss is NaN or infinite.

    Unlike mmdet's ``CheckInvalidLossHook`` (an assert every 50 iterations)
    this checks every iteration, for free (the logged loss terms are already
    synchronised to the host), and names the iteration, the epoch and every
    loss term. It runs before the checkpoint hook, so the corrupted weights
    are never saved and the last checkpoint on disk stays the last good one.
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
        last = runner.message_hub.get_info('last_ckpt')
        kept = (f'The last good checkpoint is {last}; resume from it with '
                f'--resume {last}' if last else
                'No checkpoint was saved before this iteration')
        raise NonFiniteLossError(
            f'Training stopped: the loss is not finite at iteration '
            f'{runner.iter + 1} (epoch {runner.epoch + 1}, batch '
            f'{batch_idx + 1}): ' +
            ', '.join(f'{k}={v:.6g}' for k, v in terms.items()) +
            f'. {kept} (e.g. with a lower learning rate, or gradient '
            'clipping via optim_wrapper.clip_grad).')
