"""A container that chains modules and owns their T."""
from typing import Sequence, Union

import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import Sequential

from ..defaults import DEFAULT_TIME_STEPS
from ..time.owner import TimeStepsMixin, owner_builds_parts


@MODELS.register_module()
class TimeSequential(TimeStepsMixin, Sequential):
    """Run modules one after another and give all of them the same T.

    Lets any detector slot that takes one module (``backbone``, ``neck``)
    hold a chain that crosses the ANN/SNN boundary, from a config alone::

        # spiking backbone under an ANN neck and head
        backbone=dict(
            type='TimeSequential',
            time_steps=4,
            modules=[
                dict(type='SpikingDarknet', depth=53, out_indices=(3, 4, 5)),
                dict(type='TimeDecode', decode_mode='mean'),
            ])

    Setting ``time_steps`` (here, or from a detector that owns T) sets it
    once on every time-aware submodule; the parts need no ``time_steps`` of
    their own (one they state is overridden). Submodules are named ``0``,
    ``1``, ... so their parameters get that prefix
    (``backbone.0.conv1...``): an ANN checkpoint of the bare module loads
    through the module's own ``init_cfg`` (which sees unprefixed names),
    not through ``load_from``.

    Args:
        modules (Sequence[dict | nn.Module]): The chain, in call order;
            configs are built from ``MODELS``.
        time_steps (int): T of every submodule. Defaults to
            ``DEFAULT_TIME_STEPS``.
        init_cfg (dict or list[dict], optional): Initialization config.
    """

    def __init__(self,
                 modules: Sequence[Union[ConfigType, nn.Module]],
                 time_steps: int = DEFAULT_TIME_STEPS,
                 init_cfg: OptMultiConfig = None) -> None:
        if isinstance(modules, (dict, nn.Module)) or not modules:
            raise TypeError('TimeSequential: `modules` must be a non-empty '
                            'list of module configs, got '
                            f'{type(modules).__name__} {modules!r}')
        with owner_builds_parts():
            super().__init__(
                *(m if isinstance(m, nn.Module) else MODELS.build(m)
                  for m in modules),
                init_cfg=init_cfg)
        self.time_steps = time_steps
