"""The ANN twin of a spiking model: same layers, activations for neurons."""
import copy
from typing import Dict

import torch.nn as nn
from mmdet.utils import ConfigType
from mmengine.registry import MODELS as MMENGINE_MODELS

from ..models.detectors import SpikingDetectorMixin
from ..models.layers.step_selection import apply_bptt_mode
from ..models.neurons import spiking_modules
from ..models.time.owner import set_time_steps

#: mmdet's YOLOv3 activation (``ConvModule`` makes it in-place).
DEFAULT_TWIN_ACT_CFG = dict(type='LeakyReLU', negative_slope=0.1,
                            inplace=True)


def build_ann_twin(model: nn.Module,
                   act_cfg: ConfigType = DEFAULT_TWIN_ACT_CFG,
                   with_cp: bool = False) -> nn.Module:
    """A copy of ``model`` with every spiking neuron (every
    :class:`~mmsnn.models.neurons.BaseSpikingNeuron`) replaced by an
    activation.

    Every other layer, weight and option is kept, and T is set to 1, so the
    spiking containers (encoder repeat, time decoding) become identities and
    the copy is the ANN that the SNN was derived from, to be run at batch
    ``T x B`` to compare costs; it trains by plain back-propagation
    whatever the SNN's training mode (``bptt``). A neuron module used at
    several places
    becomes one activation module used at the same places. Where the
    prediction layer decodes by rate (``decode_mode='rate'``), its output
    neurons become activations too (a cheap elementwise op).

    Args:
        model (nn.Module): A spiking model; not modified.
        act_cfg (dict): The activation. Defaults to
            :data:`DEFAULT_TWIN_ACT_CFG` (``LeakyReLU(0.1)``, in place).
        with_cp (bool): Value for every ``with_cp`` attribute of the copy
            (activation checkpointing). Defaults to False: compare against
            the plain ANN.

    Returns:
        nn.Module: The ANN twin.
    """
    twin = copy.deepcopy(model)
    neurons = {id(n) for _, n in spiking_modules(twin)}
    if not neurons:
        raise ValueError(f'build_ann_twin: {type(model).__name__} has no '
                         'spiking neuron (BaseSpikingNeuron): it is not a '
                         'spiking model')
    acts: Dict[int, nn.Module] = {}
    for module in twin.modules():
        # _modules, not named_children(): that skips repeated references
        for name, child in list(module._modules.items()):
            if id(child) in neurons:
                acts.setdefault(id(child),
                                MMENGINE_MODELS.build(dict(act_cfg)))
                setattr(module, name, acts[id(child)])
    set_time_steps(twin, 1)
    # the twin trains by plain back-propagation, whatever the SNN's mode
    if isinstance(twin, SpikingDetectorMixin):
        twin.bptt = None
    else:
        apply_bptt_mode(twin, None)
    for module in twin.modules():
        if hasattr(module, 'with_cp'):
            module.with_cp = with_cp
    return twin
