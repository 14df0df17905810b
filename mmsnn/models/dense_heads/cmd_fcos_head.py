"""FCOS head that spikes in its towers and decodes by CMD."""
from mmdet.models.dense_heads import FCOSHead
from mmdet.registry import MODELS

from .cmd_head_mixin import CMDHeadMixin


@MODELS.register_module()
class CMDFCOSHead(CMDHeadMixin, FCOSHead):
    """mmdet's :class:`FCOSHead` with neurons in its ``cls_convs`` /
    ``reg_convs`` and Current Mean Decoding on ``conv_cls``, ``conv_reg``
    and ``conv_centerness`` (:class:`CMDHeadMixin`). The box branch's
    ``Scale`` and ``exp`` (or ReLU) act on the decoded current, once per
    image; GroupNorm in the towers normalises each sample (and step) alone.

    Args:
        time_steps, decode_mode, neuron_cfg: As :class:`CMDHeadMixin`.
        **kwargs: Any :class:`FCOSHead` argument.

    Shapes:
        inputs ``[T*B, C, h_i, w_i]``; outputs per level ``[B, K, h, w]``,
        ``[B, 4, h, w]``, ``[B, 1, h, w]``.
    """

    cmd_layers = ('conv_cls', 'conv_reg', 'conv_centerness')
