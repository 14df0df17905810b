"""Current Mean Decoding for any dense head whose last convs predict."""
from functools import partial
from typing import Any, List, Tuple

import torch.nn as nn
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from torch import Tensor

from ..defaults import DEFAULT_NEURON_CFG, DEFAULT_TIME_STEPS, neuron_config
from ..layers.spikify import replace_activations
from ..time.folding import (check_decode_mode, check_time_folded,
                             decode_over_time)
from ..time.owner import TimeStepsMixin


class CMDHeadMixin(TimeStepsMixin):
    """Turns an mmdet dense head into a spiking head that decodes by CMD.

    Put it first among the bases, ``class CMDX(CMDHeadMixin, X)``, and name
    the head's prediction layers in :attr:`cmd_layers` (attributes holding
    a conv, or a ``ModuleList`` of convs, whose outputs are the head's raw
    predictions). The head then:

    * takes time-folded spiking features ``[T*B, C, h, w]`` (it checks
      their T tag);
    * spikes in every other layer: each activation module of the stock head
      (``ConvModule``'s ReLU / LeakyReLU, hard-coded or from ``act_cfg``)
      becomes a neuron built from ``neuron_cfg``;
    * decodes the output of each prediction layer over T, by
      ``decode_mode``: ``'mean'`` is Current Mean Decoding (paper Eq. 6),
      the mean over T of the synaptic current,

      .. math:: O = \\frac{1}{T} \\sum_{t=1}^{T} (W s[t] + b)
                  = W \\bar{s} + b,

      so the bias counts once; ``'sum'`` sums instead (the authors' code:
      the bias counts T times, the output scales with T); ``'rate'`` is the
      paper's ablation: neurons (``pred_neurons``, one per prediction
      layer) fire on the prediction current and their firing rate, a
      multiple of 1/T, is the output.

    The decoding is a forward hook on each prediction layer (the only way
    to reach into any stock head's ``forward`` without copying it), so
    calling one of them directly returns its decoded output.

    Everything after the prediction layers (FCOS's ``Scale`` and ``exp``,
    priors, losses, target assignment, ``predict_by_feat``) is the stock
    head's, on decoded real values of shape ``[B, ...]``; so are the names
    of its layers (ANN checkpoints load).

    Args:
        *args, **kwargs: The head's own arguments.
        time_steps (int): T. Usually set by the detector. Defaults to
            ``DEFAULT_TIME_STEPS``.
        decode_mode (str): ``'mean'``, ``'sum'`` or ``'rate'``. Defaults to
            ``'mean'``.
        neuron_cfg (dict): Neuron config, merged over the default
            (``neuron_config``). Defaults to ``DEFAULT_NEURON_CFG``.
    """

    #: Attribute names of the prediction layers, set by each head.
    cmd_layers: Tuple[str, ...] = ()

    def __init__(self,
                 *args,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 decode_mode: str = 'mean',
                 neuron_cfg: ConfigType = DEFAULT_NEURON_CFG,
                 **kwargs) -> None:
        if not self.cmd_layers:
            raise TypeError(f'{type(self).__name__}: set `cmd_layers` to the '
                            'names of the prediction layers')
        self.decode_mode = check_decode_mode(decode_mode)
        self.neuron_cfg = neuron_config(neuron_cfg)
        super().__init__(*args, **kwargs)
        self.time_steps = time_steps

    def prediction_layers(self) -> List[nn.Module]:
        """The modules named by :attr:`cmd_layers`, ``ModuleList``s
        flattened, in order."""
        layers = []
        for name in self.cmd_layers:
            layer = getattr(self, name)
            layers.extend(layer if isinstance(layer, nn.ModuleList) else
                          [layer])
        return layers

    def _init_layers(self) -> None:
        super()._init_layers()
        replace_activations(self, self.neuron_cfg)
        layers = self.prediction_layers()
        if self.decode_mode == 'rate':
            self.pred_neurons = nn.ModuleList(
                MODELS.build(self.neuron_cfg) for _ in layers)
        for index, layer in enumerate(layers):
            layer.register_forward_hook(
                partial(self._decode_prediction, index=index))

    def _decode_prediction(self, layer: nn.Module, args: Any,
                           current: Tensor, index: int) -> Tensor:
        """Forward hook of prediction layer ``index``: its output current
        ``[T*B, C, h, w]`` -> decoded ``[B, C, h, w]``."""
        if self.decode_mode == 'rate':
            current = self.pred_neurons[index](current)
        return decode_over_time(current, self.time_steps, self.decode_mode)

    def forward(self, x: Tuple[Tensor, ...], *args, **kwargs) -> Any:
        """The stock head's forward on spiking features.

        Args:
            x (tuple[Tensor]): Per level, ``[T*B, C, h, w]``.

        Returns:
            The stock head's outputs, decoded: each ``[B, ...]``.
        """
        check_time_folded(x, self.time_steps, type(self).__name__)
        return super().forward(x, *args, **kwargs)
