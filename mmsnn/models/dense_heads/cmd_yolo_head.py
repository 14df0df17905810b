"""YOLOv3 head whose prediction layer decodes T steps by their mean current."""
import math

from mmdet.models.dense_heads import YOLOV3Head
from mmdet.registry import MODELS

from ...utils.input_error import ConfigValueError
from .cmd_head_mixin import CMDHeadMixin


@MODELS.register_module()
class CMDYOLOV3Head(CMDHeadMixin, YOLOV3Head):
    """mmdet's :class:`YOLOV3Head` with spiking bridges and a decoding layer.

    ``convs_bridge`` spike; the prediction convs ``convs_pred`` do not and
    decode by ``decode_mode`` (:class:`CMDHeadMixin`): with ``'mean'`` their
    output is Current Mean Decoding (paper Eq. 6), the mean over T of the
    synaptic current,

    .. math:: O = \\frac{1}{T} \\sum_{t=1}^{T} (W s[t] + b)

    so the bias counts once. ``'sum'`` sums instead (the authors' code; the
    bias counts T times and the output scales with T). ``'rate'`` is the
    paper's ablation: neurons (``pred_neurons``) fire on the prediction
    current and their firing rate, a multiple of 1/T, is the output.

    Loss, priors, target assignment and ``predict_by_feat`` are mmdet's,
    unchanged, and so are the names of its layers.

    Args:
        num_classes (int): Number of classes.
        in_channels (Sequence[int]): Input channels per level.
        time_steps (int): T. Usually set by the detector.
            Defaults to ``DEFAULT_TIME_STEPS``.
        decode_mode (str): ``'mean'``, ``'sum'`` or ``'rate'``.
            Defaults to ``'mean'``.
        neuron_cfg (dict): Neuron config of the bridges (and of the output
            neurons in ``'rate'`` mode). Defaults to ``DEFAULT_NEURON_CFG``.
        pred_bias_init (str): Prediction-conv bias initialisation:
            ``'mmdet'`` (:meth:`YOLOV3Head.init_weights`) or ``'authors'``
            (the authors' code, from ultralytics: objectness -4.5, classes
            log(0.6 / (K - 0.99))). Defaults to ``'mmdet'``.
        **kwargs: Any other :class:`YOLOV3Head` argument.

    Shapes:
        inputs ``[T*B, C_i, h_i, w_i]``; outputs ``[B, A*(5+K), h_i, w_i]``.
    """

    cmd_layers = ('convs_pred', )

    def __init__(self, *args, pred_bias_init: str = 'mmdet',
                 **kwargs) -> None:
        if pred_bias_init not in ('mmdet', 'authors'):
            raise ConfigValueError(
                "CMDYOLOV3Head: pred_bias_init must be 'mmdet' or 'authors', "
                f'got {pred_bias_init!r}')
        self.pred_bias_init = pred_bias_init
        super().__init__(*args, **kwargs)

    def init_weights(self) -> None:
        """mmdet's initialisation, then the authors' prediction biases if
        ``pred_bias_init='authors'``."""
        super().init_weights()
        if self.pred_bias_init == 'authors':
            self.init_authors_pred_bias()

    def init_authors_pred_bias(self) -> None:
        """Set the prediction biases as the authors' code does: objectness
        -4.5, every class log(0.6 / (K - 0.99)); box terms keep 0."""
        for conv_pred in self.convs_pred:
            bias = conv_pred.bias.data.view(self.num_base_priors, -1)
            bias[:, 4] = -4.5
            bias[:, 5:] = math.log(0.6 / (self.num_classes - 0.99))
