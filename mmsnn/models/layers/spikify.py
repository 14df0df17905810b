"""Make any stock module spiking from a config: ``type='Spikify'``."""
from typing import Dict, Optional, Sequence, Tuple, Type, Union

import torch.nn as nn
from mmcv.cnn.bricks import HSwish, Swish
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType
from mmengine.registry import MODELS as MMENGINE_MODELS

from ...utils.input_error import ConfigValueError
from ..defaults import DEFAULT_NEURON_CFG, DEFAULT_TIME_STEPS, neuron_config
from ..neurons.neuron_utils import spiking_modules
from ..time.folding import (check_not_folded, check_time_folded,
                             decode_over_time, map_nested, mark_time_folded,
                             repeat_over_time, resolve_decode_mode)
from ..time.owner import TimeStepsMixin

#: Activation modules that :func:`replace_activations` turns into neurons.
#: Gates (Sigmoid, Tanh, HSigmoid) are left alone: they scale, not fire.
DEFAULT_ACT_TYPES: Tuple[Type[nn.Module], ...] = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.CELU,
    nn.SELU, nn.GELU, nn.SiLU, nn.Mish, nn.Hardswish, Swish, HSwish)


def resolve_act_types(
    act_types: Optional[Sequence[Union[str, type]]]
) -> Tuple[Type[nn.Module], ...]:
    """Turn activation names (``'ReLU'``, as in ``act_cfg``) or classes into
    a tuple of classes; None gives :data:`DEFAULT_ACT_TYPES`."""
    if act_types is None:
        return DEFAULT_ACT_TYPES
    classes = []
    for act in act_types:
        cls = MMENGINE_MODELS.get(act) if isinstance(act, str) else act
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
            raise ValueError(f'act_types: {act!r} is not an activation module '
                             'class or a registered activation name such as '
                             "'ReLU' or 'LeakyReLU'")
        classes.append(cls)
    return tuple(classes)


def replace_activations(module: nn.Module,
                        neuron_cfg: ConfigType = DEFAULT_NEURON_CFG,
                        act_types: Optional[Sequence[Union[str, type]]] = None
                        ) -> int:
    """Replace, in place, every activation submodule by a spiking neuron.

    Works where ``act_cfg`` cannot reach: mmdet's ``ResNet`` hard-codes
    ``nn.ReLU``. An activation module used at several places (ResNet blocks
    call one ``self.relu`` three times) becomes one neuron used at the same
    places, which is exact in multi-step mode: every call there integrates a
    whole sequence from rest. Functional activations (``F.relu`` in
    ``forward``) are not modules and stay.

    Args:
        module (nn.Module): Modified in place.
        neuron_cfg (dict): Config of the neurons. Defaults to
            ``DEFAULT_NEURON_CFG``.
        act_types (Sequence[str | type], optional): What counts as an
            activation. Defaults to :data:`DEFAULT_ACT_TYPES`.

    Returns:
        int: How many distinct activation modules were replaced.
    """
    act_types = resolve_act_types(act_types)
    if isinstance(module, act_types):
        raise ValueError(f'replace_activations: {type(module).__name__} is '
                         'itself an activation; build the neuron instead')
    neurons: Dict[int, nn.Module] = {}  # id(activation) -> its neuron
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, act_types):
                if id(child) not in neurons:
                    neurons[id(child)] = MODELS.build(neuron_cfg)
                setattr(parent, name, neurons[id(child)])
    return len(neurons)


class SpikifiedMixin(TimeStepsMixin):
    """Time handling around a stock module's own ``forward``.

    :func:`spikify` makes a subclass ``Spikified<Cls>(SpikifiedMixin, Cls)``
    and sets it as the instance's class (as ``torch.nn.utils.parametrize``
    does), so the module keeps its type (``isinstance`` checks pass), its
    parameter names (checkpoints load) and every method a detector calls
    (a head's ``loss``/``predict`` run the wrapped ``forward``).
    """

    spike_encode: bool
    spike_decode: Optional[str]

    def forward(self, x, *args, **kwargs):
        """Repeat ``x`` over T if encoding, run the module, decode its
        output over T if asked. ``x`` is a tensor or nested tuples/lists of
        them, and so is the output."""
        name = type(self).__name__
        if self.spike_encode:
            check_not_folded(x, name)
            x = map_nested(lambda t: repeat_over_time(t, self.time_steps), x)
        else:
            check_time_folded(x, self.time_steps, name)
        out = super().forward(x, *args, **kwargs)
        if self.spike_decode is None:
            return mark_time_folded(out, self.time_steps)
        return map_nested(
            lambda t: decode_over_time(t, self.time_steps, self.spike_decode),
            out)

    def __reduce_ex__(self, protocol):
        # The subclass is made at run time and cannot be pickled by name:
        # pickle (and deepcopy) the stock class and swap again on load.
        return _rebuild_spikified, (type(self).__bases__[1], ), \
            self.__getstate__()


_SPIKIFIED_CLASSES: Dict[type, type] = {}


def spikified_class(cls: type) -> type:
    """The (cached) ``Spikified<Cls>`` subclass of a stock module class."""
    if issubclass(cls, SpikifiedMixin):
        raise ValueError(f'{cls.__name__} is already spikified')
    if cls not in _SPIKIFIED_CLASSES:
        _SPIKIFIED_CLASSES[cls] = type(f'Spikified{cls.__name__}',
                                       (SpikifiedMixin, cls),
                                       dict(__module__=__name__))
    return _SPIKIFIED_CLASSES[cls]


def _rebuild_spikified(cls: type) -> nn.Module:
    obj = cls.__new__(cls)
    obj.__class__ = spikified_class(cls)
    return obj


def spikify(module: Union[ConfigType, nn.Module],
            encode: Optional[bool] = None,
            decode_mode: Optional[str] = None,
            neuron_cfg: OptConfigType = DEFAULT_NEURON_CFG,
            time_steps: int = DEFAULT_TIME_STEPS,
            act_types: Optional[Sequence[Union[str, type]]] = None,
            decode: Optional[str] = None) -> nn.Module:
    """Turn a stock module into a spiking one with time folded into batch.

    Registered as ``Spikify``, so any detector slot can hold one::

        backbone=dict(
            type='Spikify', encode=True, decode_mode='mean', time_steps=4,
            module=dict(type='ResNet', depth=50, ...))

    The module is built as usual, its activation modules become neurons
    (:func:`replace_activations`), and its ``forward`` gets the time
    protocol: with ``encode`` the input is repeated over T first (direct
    encoding; the stem then runs on T copies, which
    :class:`~mmsnn.models.backbones.SpikingResNet` avoids), with
    ``decode_mode`` the output is reduced over T at the end (``'mean'`` is CMD for a head
    whose last layer does not spike). Without it the output stays
    time-folded, ``[T*B, ...]``, for the next spiking module.

    The result is the same module object (see :class:`SpikifiedMixin`)
    with a ``time_steps`` attribute; setting it sets every neuron's.

    Args:
        module (dict | nn.Module): The stock module or its config.
        encode (bool): True if the input is real-valued (images or ANN
            features) and must be repeated over T; False if it comes
            time-folded from a spiking module. Required: guessing wrong
            would read a batch as time steps.
        decode_mode (str, optional): ``'mean'``, ``'rate'`` or ``'sum'`` to
            hand real values to an ANN module after this one; None keeps the
            output time-folded. Defaults to None.
        neuron_cfg (dict, optional): Neuron config for the replaced
            activations, merged over the default (``neuron_config``); None
            replaces none (e.g. an ``FPN`` already built with
            ``act_cfg=dict(type='IFNeuron')``). Defaults to
            ``DEFAULT_NEURON_CFG``.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        act_types (Sequence[str], optional): Activation types to replace,
            by name (``'ReLU'``) or class. Defaults to
            :data:`DEFAULT_ACT_TYPES`.
        decode (str, optional): Deprecated name of ``decode_mode`` (old
            configs; warns).

    Returns:
        nn.Module: The module, now an instance of ``Spikified<Cls>``.
    """
    if not isinstance(encode, bool):
        raise ConfigValueError(
            'Spikify: set encode=True if the input is real-valued (images, '
            'ANN features) and must be repeated over T, or encode=False if '
            f'it comes time-folded from a spiking module; got {encode!r}')
    decode_mode = resolve_decode_mode(decode_mode, decode, 'decode',
                                      'Spikify', default=None)
    if neuron_cfg is not None:
        neuron_cfg = neuron_config(neuron_cfg)
    if not isinstance(module, nn.Module):
        module = MODELS.build(module)
    cls = type(module)
    replaced = 0 if neuron_cfg is None else replace_activations(
        module, neuron_cfg, act_types)
    if not replaced and next(spiking_modules(module), None) is None:
        raise ValueError(
            f'Spikify({cls.__name__}): no activation module of the types '
            f'{[t.__name__ for t in resolve_act_types(act_types)]} to replace '
            'and no spiking neuron inside. If it builds its activations from '
            "act_cfg, set act_cfg=dict(type='IFNeuron') (FPN's default "
            'act_cfg is None).')
    module.__class__ = spikified_class(cls)
    # A plain `time_steps` that the stock class kept in the instance dict
    # would go stale behind the property: drop it.
    module.__dict__.pop('time_steps', None)
    module.spike_encode = encode
    module.spike_decode = decode_mode
    module.time_steps = time_steps
    return module


MODELS.register_module(name='Spikify', module=spikify)
