"""Spiking-YOLO's signed IF neuron with imbalanced threshold (IBT)."""
import torch
from mmdet.registry import MODELS
from spikingjelly.activation_based import base
from torch import Tensor

from ..utils.input_error import ConfigValueError


@MODELS.register_module()
class SignedIFNeuron(base.MemoryModule):
    """Signed integrate-and-fire neuron with an imbalanced threshold, the
    unit that replaces a leaky-ReLU in Spiking-YOLO (Kim et al., AAAI 2020).

    Per channel ``c`` with scale ``lambda_c`` (the channel-wise data-based
    normalisation factor) and leaky-ReLU slope ``alpha``, one step is

    .. math::
        V &\\leftarrow V + x \\\\
        s^+ &= [V \\ge \\lambda_c], \\quad
        s^- = [V \\le -\\lambda_c / \\alpha] \\\\
        V &\\leftarrow V - \\lambda_c s^+ + (\\lambda_c / \\alpha) s^- \\\\
        y &= \\lambda_c (s^+ - s^-)

    (reset by subtraction). For a constant input ``x`` the mean output over
    T steps tends to ``x`` for ``0 <= x <= lambda_c`` and to ``alpha * x``
    for ``-lambda_c / alpha <= x < 0``: leaky-ReLU, clipped at the
    normalisation factor. Emitting spikes of height ``lambda_c`` with
    threshold ``lambda_c`` is Spiking-YOLO's channel-wise weight
    normalisation (``W * lambda_in / lambda_out``, ``b / lambda_out``, unit
    thresholds) with the scales folded into the neuron: the spike trains are
    the same, and mmdet's convs, residual sums, concatenations and
    checkpoints stay untouched. ``alpha = 0`` is a plain (ReLU) IF neuron.

    The neuron is stateful and single-step: the converted detector runs the
    network once per time step, so memory does not grow with T.

    Args:
        num_channels (int): Channels (dim 1 of the input).
        negative_slope (float): Leaky-ReLU slope ``alpha`` (>= 0).
            Defaults to 0.1 (YOLOv3's).
        inplace (bool, optional): Ignored (mmcv's ``ConvModule`` passes it).

    Shapes:
        input and output ``[B, C, ...]``; state ``v`` the same.
    """

    def __init__(self,
                 num_channels: int,
                 negative_slope: float = 0.1,
                 inplace=None) -> None:
        super().__init__()
        if negative_slope < 0:
            raise ConfigValueError(
                'SignedIFNeuron: negative_slope must be >= 0, got '
                f'{negative_slope!r}')
        self.negative_slope = float(negative_slope)
        self.register_buffer('threshold', torch.ones(num_channels))
        self.register_memory('v', 0.)

    def forward(self, x: Tensor) -> Tensor:
        shape = (1, -1) + (1, ) * (x.dim() - 2)
        lam = self.threshold.view(shape).to(x.dtype)
        self.v = self.v + x
        pos = (self.v >= lam).to(x.dtype)
        out = lam * pos
        self.v = self.v - out
        if self.negative_slope > 0:
            neg_threshold = lam / self.negative_slope
            neg = (self.v <= -neg_threshold).to(x.dtype)
            self.v = self.v + neg_threshold * neg
            out = out - lam * neg
        return out

    def extra_repr(self) -> str:
        return (f'num_channels={self.threshold.numel()}, '
                f'negative_slope={self.negative_slope:g}')
