"""A real-valued activation with a leaky membrane: EMS-YOLO's
``mem_update(act=True)``."""
from typing import Optional, Tuple, Union

import torch.nn.functional as F
from mmdet.registry import MODELS
from mmengine.registry import MODELS as MMENGINE_MODELS
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..neurons.base_membrane import BaseMembraneModule

State = Tuple[Union[Tensor, float], Union[Tensor, float]]


@MODELS.register_module()
class MembraneSiLU(BaseMembraneModule):
    """SiLU of a leaky membrane: real values out, not spikes.

    EMS-YOLO's ``Conv`` (the neck's plain convs of its ``resnet18.yaml``
    and ``resnet34-cat.yaml``) runs its ``mem_update`` with ``act=True``:
    the membrane integrates as the spiking neuron's, but SiLU replaces the
    spike and the reset uses the SiLU output,

    .. math::
        m[t] = \\lambda m[t-1] (1 - y[t-1]) + I[t], \\quad y[t] = SiLU(m[t])

    from ``m[-1] = 0``, with ``1 - y`` detached. Its outputs are real
    values, so the layers it feeds run multiply-accumulates (the energy
    tool counts them so); it is not a neuron (no spikes, no firing rate),
    but its membrane follows the protocol of time of
    :class:`~mmsnn.models.neurons.BaseMembraneModule`: folded or step by
    step (the per-step reference path), and with SLTT its membrane enters
    each step detached.

    Args:
        decay (float): ``lambda``. Defaults to 0.25.
        time_steps (int): T. Usually set by the owner of T.
            Defaults to ``DEFAULT_TIME_STEPS``.
        step_mode (str): ``'m'`` or ``'s'``. Defaults to ``'m'``.
        inplace (bool, optional): Ignored (``ConvModule`` passes it).

    Shapes:
        ``[T*B, ...] -> [T*B, ...]``, time-major (``[B, ...]`` a step in
        single-step mode).
    """

    def __init__(self,
                 decay: float = 0.25,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 step_mode: str = 'm',
                 inplace: Optional[bool] = None) -> None:
        super().__init__(time_steps, step_mode)
        self.decay = float(decay)
        self.register_memory('v', self.initial_state())

    def initial_state(self) -> State:
        """Membrane and output at rest: ``(0, 0)``."""
        return 0., 0.

    def detach_state(self, state: State) -> State:
        mem, out = state
        return super().detach_state(mem), out

    def neuronal_step(self, x: Tensor, state: State) -> Tuple[Tensor, State]:
        """One step: ``m = lambda m (1 - y) + I``, ``y = SiLU(m)``.

        Args:
            x (Tensor): Input current of one step, ``[B, ...]``.
            state (tuple): Membrane and (detached) output of the previous
                step.

        Returns:
            tuple: The output ``[B, ...]`` and the new state.
        """
        mem, out = state
        mem = mem * self.decay * (1 - out) + x
        out = F.silu(mem)
        return out, (mem, out.detach())

    def extra_repr(self) -> str:
        return f'decay={self.decay:g}, ' + super().extra_repr()


# mmcv's ConvModule builds act_cfg from mmengine's root registry
MMENGINE_MODELS.register_module(module=MembraneSiLU)
