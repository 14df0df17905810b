"""mmsnn's reliability hooks and loops, added by tools/train.py (and the
evaluation loops by tools/test.py) to any config."""
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop,
                             TestLoop, ValLoop)

from mmdet.registry import LOOPS

# Hook types added unless the config lists them already.
RELIABILITY_HOOKS = ('FiniteLossHook', 'RandomStateHook', 'WorkDirLockHook')


def _is_stock_checkpoint_hook(hook_type) -> bool:
    """Whether a hook ``type`` names mmengine's ``CheckpointHook``, with or
    without a scope (``'CheckpointHook'``, ``'mmengine.CheckpointHook'``) or
    as the class itself."""
    if isinstance(hook_type, str):
        return hook_type.split('.')[-1] == 'CheckpointHook'
    return hook_type is CheckpointHook


# mmengine's training loops and the safe loop that takes each one's place.
SAFE_LOOPS = {
    EpochBasedTrainLoop: 'SafeEpochBasedTrainLoop',
    IterBasedTrainLoop: 'SafeIterBasedTrainLoop',
}


def _stock_loop(train_cfg: dict):
    """The mmengine loop class ``train_cfg`` builds, by ``type`` (a name,
    scoped or not, or the class) or by ``by_epoch`` as the Runner reads it;
    ``None`` for any other loop."""
    loop_type = train_cfg.get('type')
    if loop_type is None:
        if 'by_epoch' not in train_cfg:
            return None  # the Runner would refuse it
        return (EpochBasedTrainLoop
                if train_cfg['by_epoch'] else IterBasedTrainLoop)
    if isinstance(loop_type, str):
        loop_type = LOOPS.get(loop_type)
    return loop_type if loop_type in SAFE_LOOPS else None


# mmengine's evaluation loops and the safe loop that takes each one's place.
SAFE_EVAL_LOOPS = {
    'val_cfg': (ValLoop, 'SafeValLoop'),
    'test_cfg': (TestLoop, 'SafeTestLoop'),
}


def use_safe_eval_loops(cfg: Config) -> Config:
    """Make ``val_cfg`` and ``test_cfg`` that build mmengine's ``ValLoop``
    / ``TestLoop`` (by ``type``, or without one, as the Runner reads them)
    build ``SafeValLoop`` / ``SafeTestLoop`` (stop on Ctrl-C / SIGTERM
    after the batch in progress), in place, with the same arguments. Other
    loops and ``None`` are left alone.

    Args:
        cfg (Config): A config.

    Returns:
        Config: ``cfg``.
    """
    for key, (stock, safe) in SAFE_EVAL_LOOPS.items():
        loop_cfg = cfg.get(key, None)
        if not isinstance(loop_cfg, dict):
            continue
        loop_type = loop_cfg.get('type', stock)
        if isinstance(loop_type, str):
            loop_type = LOOPS.get(loop_type)
        if loop_type is stock:
            loop_cfg['type'] = safe
    return cfg


def add_reliability_hooks(cfg: Config,
                          command: Optional[Sequence[str]] = None) -> Config:
    """Add mmsnn's reliability hooks and loops to a training config, in
    place.

    - ``FiniteLossHook``, ``RandomStateHook`` and ``WorkDirLockHook`` are
      appended to ``cfg.custom_hooks`` unless listed there already;
      ``command`` goes to ``FiniteLossHook`` (for the commands its messages
      print) where the entry has none.
    - A ``default_hooks.checkpoint`` of type ``CheckpointHook`` (with or
      without scope) becomes ``SafeCheckpointHook`` with the same arguments;
      a missing one becomes the runner's default (``interval=1``) as a
      ``SafeCheckpointHook``. Any other type, and ``None`` (no checkpoints),
      is left alone.
    - A ``train_cfg`` that builds mmengine's ``EpochBasedTrainLoop`` or
      ``IterBasedTrainLoop`` builds ``SafeEpochBasedTrainLoop`` or
      ``SafeIterBasedTrainLoop`` (stop on Ctrl-C / SIGTERM with a
      checkpoint, resume exactly) with the same arguments. Other loops are
      left alone.
    - ``val_cfg`` and ``test_cfg`` as :func:`use_safe_eval_loops` makes
      them.

    Args:
        cfg (Config): A training config.
        command (Sequence[str], optional): The command line that started
            the run (:func:`mmsnn.utils.tool_command.tool_command`).

    Returns:
        Config: ``cfg``.
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    present = {h.get('type') for h in hooks}
    hooks += [dict(type=t) for t in RELIABILITY_HOOKS if t not in present]
    for hook in hooks:
        if hook.get('type') == 'FiniteLossHook' and command and \
                not hook.get('command'):
            hook['command'] = list(command)
    cfg.custom_hooks = hooks

    if cfg.get('default_hooks', None) is None:
        cfg.default_hooks = dict()
    default_hooks = cfg.default_hooks
    if 'checkpoint' not in default_hooks:
        # mmengine's Runner would add CheckpointHook(interval=1) itself.
        default_hooks['checkpoint'] = dict(type='CheckpointHook', interval=1)
    ckpt = default_hooks['checkpoint']
    if isinstance(ckpt, dict) and _is_stock_checkpoint_hook(ckpt.get('type')):
        ckpt['type'] = 'SafeCheckpointHook'

    train_cfg = cfg.get('train_cfg', None)
    stock = _stock_loop(train_cfg) if isinstance(train_cfg, dict) else None
    if stock is not None:
        train_cfg.pop('by_epoch', None)  # the Runner takes type or by_epoch
        train_cfg['type'] = SAFE_LOOPS[stock]
    return use_safe_eval_loops(cfg)
