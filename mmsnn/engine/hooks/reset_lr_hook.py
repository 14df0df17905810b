"""On ``--resume``, let the config's learning rate win over the
checkpoint's."""
from typing import List, Optional

from mmengine.hooks import Hook

from mmdet.registry import HOOKS


def _schedulers(runner) -> list:
    schedulers = runner.param_schedulers or []
    if isinstance(schedulers, dict):
        return [s for group in schedulers.values() for s in group]
    return list(schedulers)


@HOOKS.register_module()
class ResetLrHook(Hook):
    """Replace a resumed optimizer's learning rate by the config's.

    mmengine's ``--resume`` restores the optimizer state, learning rates
    included, and the param schedulers' base values, so a new
    ``optim_wrapper.optimizer.lr`` in the config changes nothing (a run that
    diverged at lr 1e6 resumes at the same lr and diverges again). With this
    hook (``tools/train.py --resume ... --reset-lr``) every parameter
    group's base learning rate becomes the config's (after
    ``auto_scale_lr`` and ``paramwise_cfg``), and its current one is
    scaled by the same factor, so the schedule goes on from the resumed
    step along the same curve, scaled to the new base. Nothing else of the
    optimizer state (momentum, Adam moments) changes.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._config_lrs: Optional[List[float]] = None

    def before_run(self, runner) -> None:
        # Called after the optimizer and schedulers are built from the
        # config and before the checkpoint is loaded.
        self._config_lrs = [group.get('initial_lr', group['lr'])
                            for group in runner.optim_wrapper.param_groups]

    def before_train(self, runner) -> None:
        groups = runner.optim_wrapper.param_groups
        if self._config_lrs is None or len(groups) != len(self._config_lrs):
            return
        factors, changes = [], {}
        for group, new in zip(groups, self._config_lrs):
            old = group.get('initial_lr', group['lr'])
            factor = new / old if old else 1.0
            factors.append(factor)
            change = (f'base lr {old:.4g} -> {new:.4g}, current lr '
                      f'{group["lr"]:.4g} -> {group["lr"] * factor:.4g}')
            changes[change] = changes.get(change, 0) + 1
            group['lr'] *= factor
            if 'initial_lr' in group:
                group['initial_lr'] = new
        for scheduler in _schedulers(runner):
            if getattr(scheduler, 'param_name', None) == 'lr':
                scheduler.base_values = [
                    b * f for b, f in zip(scheduler.base_values, factors)]
                scheduler._last_value = [g['lr'] for g in groups]
        runner.logger.info(
            'ResetLrHook: learning rate from the config: ' + '; '.join(
                f'{change} ({count} param group{"s" * (count > 1)})'
                for change, count in changes.items()))
