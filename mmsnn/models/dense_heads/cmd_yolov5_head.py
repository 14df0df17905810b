"""YOLOv5 head whose prediction convs decode T steps (EMS-YOLO's head)."""
from mmdet.registry import MODELS

from .cmd_head_mixin import CMDHeadMixin
from .yolov5_head import YOLOV5Head


@MODELS.register_module()
class CMDYOLOV5Head(CMDHeadMixin, YOLOV5Head):
    """:class:`YOLOV5Head` on time-folded features, its prediction convs
    ``convs_pred`` decoded over T by ``decode_mode``
    (:class:`CMDHeadMixin`).

    With ``'mean'`` (Current Mean Decoding) this is EMS-YOLO's ``Detect``:
    it applies each level's conv (with bias) at every step and averages the
    T outputs, ``x.sum(0) / T``. ``'sum'`` and ``'rate'`` are as on the
    other CMD heads. The head has no other layers, so nothing in it spikes
    (``neuron_cfg`` only builds the output neurons of ``'rate'``). Loss,
    decoding and inference are :class:`YOLOV5Head`'s, on the decoded maps.

    Args:
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        decode_mode (str): ``'mean'``, ``'sum'`` or ``'rate'``.
            Defaults to ``'mean'``.
        neuron_cfg (dict): Neurons of ``'rate'``. Defaults to
            ``DEFAULT_NEURON_CFG``.
        **kwargs: :class:`YOLOV5Head`'s arguments.

    Shapes:
        inputs ``[T*B, C_i, h_i, w_i]``; outputs ``[B, A*(5+K), h_i, w_i]``.
    """

    cmd_layers = ('convs_pred', )
