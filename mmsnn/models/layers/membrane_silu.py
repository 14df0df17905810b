"""A real-valued activation with a leaky membrane: EMS-YOLO's
``mem_update(act=True)``."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..time.folding import check_time_steps, fold_time, unfold_time


@MODELS.register_module()
class MembraneSiLU(nn.Module):
    """SiLU of a leaky membrane: real values out, not spikes.

    EMS-YOLO's ``Conv`` (the neck's plain convs of its ``resnet18.yaml``
    and ``resnet34-cat.yaml``) runs its ``mem_update`` with ``act=True``:
    the membrane integrates as the spiking neuron's, but SiLU replaces the
    spike and the reset uses the SiLU output,

    .. math::
        m[t] = \\lambda m[t-1] (1 - y[t-1]) + I[t], \\quad y[t] = SiLU(m[t])

    from ``m[-1] = 0``, with ``1 - y`` detached. Its outputs are real
    values, so the layers it feeds run multiply-accumulates (the energy
    tool counts them so); it is not a neuron (no spikes, no firing rate).

    It integrates a whole time-folded sequence per call (multi-step only):
    a model containing it has no per-step reference path
    (``forward_per_step``).

    Args:
        decay (float): ``lambda``. Defaults to 0.25.
        time_steps (int): T. Usually set by the owner of T.
            Defaults to ``DEFAULT_TIME_STEPS``.
        inplace (bool, optional): Ignored (``ConvModule`` passes it).

    Shapes:
        ``[T*B, ...] -> [T*B, ...]``, time-major.
    """

    def __init__(self,
                 decay: float = 0.25,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 inplace: Optional[bool] = None) -> None:
        super().__init__()
        self.decay = float(decay)
        self.time_steps = check_time_steps(time_steps)

    def forward(self, x: Tensor) -> Tensor:
        outs, mem, out = [], None, None
        for current in unfold_time(x, self.time_steps):
            mem = current if mem is None else \
                mem * self.decay * (1 - out.detach()) + current
            out = F.silu(mem)
            outs.append(out)
        return fold_time(torch.stack(outs))

    def extra_repr(self) -> str:
        return f'decay={self.decay:g}, time_steps={self.time_steps}'


# mmcv's ConvModule builds act_cfg from mmengine's root registry
MMENGINE_MODELS.register_module(module=MembraneSiLU)
