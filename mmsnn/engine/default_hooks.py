"""mmsnn's reliability hooks, added by tools/train.py to any config."""
from mmengine.config import Config

# Hook types added unless the config lists them already.
RELIABILITY_HOOKS = ('FiniteLossHook', 'RandomStateHook')


def add_reliability_hooks(cfg: Config) -> Config:
    """Append mmsnn's reliability hooks to ``cfg.custom_hooks`` in place.

    Args:
        cfg (Config): A training config.

    Returns:
        Config: ``cfg``.
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    present = {h.get('type') for h in hooks}
    hooks += [dict(type=t) for t in RELIABILITY_HOOKS if t not in present]
    cfg.custom_hooks = hooks
    return cfg
