"""YOLOv3 neck with integrate-and-fire neurons."""
from typing import List, Optional, Sequence, Tuple

from mmdet.models.backbones.csp_darknet import SPPBottleneck
from mmdet.models.necks import YOLOV3Neck
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..defaults import DEFAULT_NEURON_CFG, DEFAULT_TIME_STEPS, neuron_config
from ..layers.checkpoint import checkpoint_call
from ..time.owner import TimeStepsMixin


@MODELS.register_module()
class SpikingYOLOV3Neck(TimeStepsMixin, YOLOV3Neck):
    """mmdet's :class:`YOLOV3Neck` with IF neurons as activations.

    Every layer of the neck (1x1/3x3 convs, nearest upsampling, concat) is
    stateless, so it serves all T steps at once on time folded into the
    batch; only the neurons unfold time. Names are mmdet's, so ANN weights
    load strictly.

    Args:
        num_scales (int): Number of scales. Defaults to 3.
        in_channels (List[int]): Input channels, high to low level.
        out_channels (List[int]): Output channels, high to low level.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neuron config, the ``act_cfg`` of every conv.
            Defaults to ``DEFAULT_NEURON_CFG``.
        spp_kernel_sizes (Sequence[int], optional): Make it YOLOv3-SPP's neck
            (ultralytics ``yolov3-spp.cfg``, the authors' code): mmdet's
            :class:`SPPBottleneck` replaces ``detect1.conv3``, so the first
            detection block is 1x1 -> 3x3 -> 1x1 (``conv3.conv1``) ->
            maxpools of these sizes, concat, 1x1 (``conv3.conv2``) -> 3x3 ->
            1x1. None (default) keeps plain YOLOv3's neck.
        with_cp (bool): Checkpoint the neck in training: keep only its
            inputs and recompute its activations in backward (less memory,
            more time; same results). Defaults to False.
        conv_cfg, norm_cfg, init_cfg: As :class:`YOLOV3Neck`.

    Shapes:
        inputs and outputs ``[T*B, C_i, h_i, w_i]``, time-major.
    """

    def __init__(self,
                 num_scales: int,
                 in_channels: List[int],
                 out_channels: List[int],
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = DEFAULT_NEURON_CFG,
                 spp_kernel_sizes: Optional[Sequence[int]] = None,
                 with_cp: bool = False,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 init_cfg: OptMultiConfig = None) -> None:
        neuron_cfg = neuron_config(neuron_cfg)
        super().__init__(
            num_scales=num_scales,
            in_channels=in_channels,
            out_channels=out_channels,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=neuron_cfg,
            init_cfg=init_cfg)
        if spp_kernel_sizes:
            c = out_channels[0]
            self.detect1.conv3 = SPPBottleneck(
                2 * c, c, kernel_sizes=tuple(spp_kernel_sizes),
                conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=neuron_cfg)
        self.spp_kernel_sizes = spp_kernel_sizes
        self.with_cp = with_cp
        self.time_steps = time_steps

    def forward(self, feats: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
        # one segment: checkpointing each detection block would mean
        # rewriting mmdet's forward; the neck is small next to the backbone
        return checkpoint_call(
            super().forward, feats, owner=self, enabled=self.with_cp)
