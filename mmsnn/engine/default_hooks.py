"""mmsnn's reliability hooks and training loop, added by tools/train.py to
any config."""
from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from mmdet.registry import LOOPS

# Hook types added unless the config lists them already.
RELIABILITY_HOOKS = ('FiniteLossHook', 'RandomStateHook')


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


def add_reliability_hooks(cfg: Config) -> Config:
    """Add mmsnn's reliability hooks and loop to a training config, in place.

    - ``FiniteLossHook`` and ``RandomStateHook`` are appended to
      ``cfg.custom_hooks`` unless listed there already.
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

    Args:
        cfg (Config): A training config.

    Returns:
        Config: ``cfg``.
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    present = {h.get('type') for h in hooks}
    hooks += [dict(type=t) for t in RELIABILITY_HOOKS if t not in present]
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
    return cfg
