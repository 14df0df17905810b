"""Checkpoint the random number generators so that resume is exact."""
from typing import Optional

from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from mmsnn.engine.checkpoint.plain_state import from_plain, to_plain
from mmsnn.engine.random_state import get_random_state, set_random_state


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save Python's, numpy's and torch's RNG states in every checkpoint and
    restore them when training resumes from it.

    mmengine re-seeds on resume, so the augmentations (e.g. ``RandomFlip``
    draws from numpy's global generator in the main process when
    ``num_workers=0``) after a resume differ from those of an uninterrupted
    run. The states are restored in ``before_train``, after the runner's own
    re-seeding, and only when training continues from the checkpoint's
    epoch/iteration (not for ``load_from`` fine-tuning).

    numpy's state is stored as a tensor
    (:func:`~mmsnn.engine.checkpoint.to_plain`), so that torch's
    weights-only loader reads the checkpoint without an allowlist.

    Data loader workers seed themselves (mmengine's ``worker_init_fn``:
    seed + worker id, the same every epoch), so with non-persistent workers
    resume stays exact; persistent workers carry generator state across
    epochs that no checkpoint holds.
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._loaded: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = to_plain(get_random_state())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = from_plain(checkpoint.get('rng_state'))
        meta = checkpoint.get('meta', {})
        self._loaded = None if state is None else dict(
            state, epoch=meta.get('epoch'), iter=meta.get('iter'))

    def before_train(self, runner) -> None:
        state, self._loaded = self._loaded, None
        if (state is None or state['epoch'] != runner.epoch
                or state['iter'] != runner.iter):
            return
        set_random_state(state)
