"""RetinaNet head that spikes in its towers and decodes by CMD."""
from mmdet.models.dense_heads import RetinaHead
from mmdet.registry import MODELS

from .cmd_head_mixin import CMDHeadMixin


@MODELS.register_module()
class CMDRetinaHead(CMDHeadMixin, RetinaHead):
    """mmdet's :class:`RetinaHead` with neurons in its ``cls_convs`` /
    ``reg_convs`` and Current Mean Decoding on ``retina_cls`` /
    ``retina_reg`` (:class:`CMDHeadMixin`).

    Args:
        time_steps, decode_mode, neuron_cfg: As :class:`CMDHeadMixin`.
        **kwargs: Any :class:`RetinaHead` argument.

    Shapes:
        inputs ``[T*B, C, h_i, w_i]``; outputs ``[B, A*K, h_i, w_i]`` and
        ``[B, A*4, h_i, w_i]``.
    """

    cmd_layers = ('retina_cls', 'retina_reg')

    def _init_layers(self) -> None:
        super()._init_layers()
        # RetinaHead builds a ReLU module it never calls (its ConvModules
        # have their own): no neuron that never fires in the statistics
        del self.relu
