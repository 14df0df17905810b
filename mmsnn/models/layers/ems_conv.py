"""Conv + BN (+ activation) initialised as EMS-YOLO initialises its layers."""
from typing import Tuple

from mmcv.cnn import ConvModule
from mmengine.model.weight_init import constant_init
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType

#: EMS-YOLO's neuron threshold, which sets its BN weights' initial values.
EMS_THRESHOLD = 0.5


@MODELS.register_module()
class EMSConv(ConvModule):
    """mmcv's :class:`ConvModule` with 'same' padding and EMS-YOLO's
    initialisation.

    EMS-YOLO initialises its convs with PyTorch's default (``nn.Conv2d``'s
    ``reset_parameters``, not a Kaiming normal) and its BN weights to the
    neuron threshold, 0.5 (``BatchNorm3d1``), or, on a residual branch's
    last BN, to a fifth of it, 0.1 (``BatchNorm3d2``); BN biases start at 0.
    :meth:`init_weights` does the same with ``norm_weight``.

    EMS-YOLO's layers of this kind: ``Conv_1`` / ``Conv_2`` (the first conv:
    conv + BN, no activation), ``Conv`` (conv + BN + ``MembraneSiLU``), and,
    with ``order=('act', 'conv', 'norm')`` and a neuron as ``act_cfg``, every
    spike-conv-BN unit of its residual blocks.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Odd kernel size; padding is ``kernel_size // 2``.
        stride (int): Stride. Defaults to 1.
        norm_weight (float): Initial BN weight. Defaults to 0.5.
        act_cfg (dict, optional): Activation (a neuron, ``MembraneSiLU``) or
            None. Defaults to None.
        order (tuple[str]): As :class:`ConvModule`. Defaults to
            ``('conv', 'norm', 'act')``.
        conv_cfg, norm_cfg: As :class:`ConvModule` (BN by default).
        **kwargs: Other :class:`ConvModule` arguments; ``inplace``
            defaults to False when the activation comes first.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: int = 1,
                 norm_weight: float = EMS_THRESHOLD,
                 act_cfg: OptConfigType = None,
                 order: Tuple[str, str, str] = ('conv', 'norm', 'act'),
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 **kwargs) -> None:
        # set before ConvModule.__init__, which calls init_weights
        self.norm_weight = float(norm_weight)
        # an activation that comes first works on the module's input, which
        # a residual block reads again for its shortcut: not in place
        kwargs.setdefault('inplace', order[0] != 'act')
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            order=order,
            **kwargs)

    def init_weights(self) -> None:
        """PyTorch's default conv initialisation; BN weight
        ``norm_weight``, bias 0."""
        self.conv.reset_parameters()
        if self.with_norm:
            constant_init(self.norm, self.norm_weight, bias=0)
