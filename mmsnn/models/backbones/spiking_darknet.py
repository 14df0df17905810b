"""Darknet-53 with integrate-and-fire neurons (SNN-YOLOv3's backbone)."""
from typing import Optional, Sequence, Tuple

from mmcv.cnn import ConvModule
from mmdet.models.backbones import Darknet
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..defaults import DEFAULT_NEURON_CFG, DEFAULT_TIME_STEPS, neuron_config
from ..layers.checkpoint import checkpoint_call
from ..time.folding import repeat_over_time
from ..time.owner import TimeStepsMixin
from .encoding import check_encoding, check_sequence_input


def scale_channels(channels: int, widen_factor: float) -> int:
    """Scale a channel count, keeping it even (``ResBlock`` halves it)."""
    return max(2, 2 * round(channels * widen_factor / 2))


@MODELS.register_module()
class SpikingDarknet(TimeStepsMixin, Darknet):
    """Spiking Darknet: mmdet's :class:`Darknet` with IF neurons.

    Submodule names are mmdet's (``conv1``, ``conv_res_block{1..5}``), so an
    mmdet Darknet / YOLOv3 checkpoint loads strictly when ``widen_factor`` is
    1 and ``stage_blocks`` is the default. (YOLOv3-SPP's SPP block is not in
    the backbone: see ``SpikingYOLOV3Neck(spp_kernel_sizes=...)``.)

    ``conv1`` is the encoding layer (direct encoding): the image is the same
    at every step, so its conv + BN run once on ``[B, 3, H, W]`` and the
    current is repeated over T before its neurons; every later layer runs on
    time folded into the batch. Residual sums carry spike counts (0, 1, 2..),
    as in the authors' code. With ``encoding='sequence'`` the input is
    already a time-folded sequence (event frames, one bin per step) and
    ``conv1`` runs on it as on any later layer.

    Args:
        depth (int): Only 53. Defaults to 53.
        out_indices (Sequence[int]): Stages to output. Defaults to (3, 4, 5).
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        neuron_cfg (dict): Neuron config, used as every ``ConvModule``'s
            ``act_cfg``. Defaults to ``DEFAULT_NEURON_CFG``.
        widen_factor (float): Channel multiplier for narrow models.
            Defaults to 1.0.
        stage_blocks (Sequence[int], optional): ``ResBlock`` count of each of
            the five stages; None keeps Darknet-53's (1, 2, 8, 8, 4).
        in_channels (int): Input channels (3 for images, 2 for ON/OFF event
            histograms, ``T*C`` for an ANN fed stacked bins). Defaults to 3.
        encoding (str): ``'direct'`` (an image repeated over T) or
            ``'sequence'`` (``[T*B, C, H, W]`` already folded, e.g. from
            ``EventDetDataPreprocessor``; its T must be ``time_steps``).
            Defaults to ``'direct'``.
        encode_once (bool): Compute the encoding conv + BN once instead of on
            T identical copies (same result; direct encoding only).
            Defaults to True.
        with_cp (bool): Checkpoint the encoder and every block of the
            stages in training: keep only their inputs and recompute their
            activations in backward (less memory, more time; same results,
            BN statistics included). Defaults to False.
        norm_eval (bool): Freeze BN statistics. Defaults to False.
        frozen_stages, conv_cfg, norm_cfg, pretrained, init_cfg: As
            :class:`Darknet`.

    Shapes:
        input ``[B, C, H, W]`` (direct) or ``[T*B, C, H, W]`` (sequence);
        outputs ``[T*B, C_i, H/s_i, W/s_i]`` spikes (spike counts after
        residual adds), time-major.
    """

    def __init__(self,
                 depth: int = 53,
                 out_indices: Sequence[int] = (3, 4, 5),
                 time_steps: int = DEFAULT_TIME_STEPS,
                 neuron_cfg: ConfigType = DEFAULT_NEURON_CFG,
                 widen_factor: float = 1.0,
                 stage_blocks: Optional[Sequence[int]] = None,
                 in_channels: int = 3,
                 encoding: str = 'direct',
                 encode_once: bool = True,
                 with_cp: bool = False,
                 frozen_stages: int = -1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 norm_eval: bool = False,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        neuron_cfg = neuron_config(neuron_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'SpikingDarknet: invalid depth {depth}, expected '
                           f'one of {list(self.arch_settings)}')
        blocks, channels = self.arch_settings[depth]
        # Darknet reads its stage layout from self.arch_settings: give this
        # instance its own, narrowed and/or shortened.
        self.arch_settings = {
            depth: (tuple(stage_blocks or blocks),
                    tuple((scale_channels(i, widen_factor),
                           scale_channels(o, widen_factor))
                          for i, o in channels))
        }
        super().__init__(
            depth=depth,
            out_indices=out_indices,
            frozen_stages=frozen_stages,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=neuron_cfg,
            norm_eval=norm_eval,
            pretrained=pretrained,
            init_cfg=init_cfg)
        stem_channels = self.channels[0][0]
        # Darknet hard-codes 3 input and 32 stem channels
        if stem_channels != 32 or in_channels != 3:
            self.conv1 = ConvModule(
                in_channels, stem_channels, 3, padding=1, conv_cfg=conv_cfg,
                norm_cfg=norm_cfg, act_cfg=neuron_cfg)
        self.widen_factor = widen_factor
        self.encoding = check_encoding(encoding, 'SpikingDarknet')
        self.encode_once = encode_once
        self.with_cp = with_cp
        self.time_steps = time_steps

    def train(self, mode: bool = True) -> 'SpikingDarknet':
        """As :meth:`Darknet.train`, but returns ``self`` like nn.Module."""
        super().train(mode)
        return self

    def encode(self, x: Tensor) -> Tensor:
        """The first conv set: ``[B, C_in, H, W]`` image (direct encoding) or
        ``[T*B, C_in, H, W]`` sequence -> ``[T*B, C, H, W]`` spikes."""
        if self.encoding == 'sequence':
            check_sequence_input(x, self.time_steps, 'SpikingDarknet')
            return self.conv1(x)
        if not self.encode_once:
            return self.conv1(repeat_over_time(x, self.time_steps))
        stem = self.conv1
        current = stem.conv(x)
        if stem.with_norm:
            current = stem.norm(current)
        return stem.activate(repeat_over_time(current, self.time_steps))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Args:
            x (Tensor): Images ``[B, C_in, H, W]``, or with
                ``encoding='sequence'`` a folded sequence ``[T*B, C_in, H, W]``.

        Returns:
            tuple[Tensor]: Stage outputs at ``out_indices``, each
            ``[T*B, C, h, w]``.
        """
        outs = []
        for i, layer_name in enumerate(self.cr_blocks):
            stage = getattr(self, layer_name)
            if i == 0:
                x = checkpoint_call(self.encode, x, owner=stage,
                                    enabled=self.with_cp)
            elif self.with_cp:  # per block, like mmdet ResNet's with_cp
                for block in stage:
                    x = checkpoint_call(block, x, owner=block)
            else:
                x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
