"""EMS-YOLO checkpoints (BICLab/EMS-YOLO, ultralytics YOLOv5 format) into
mmsnn's EMS-YOLO models.

EMS-YOLO's ``Model`` keeps its layers in ``model``, an ``nn.Sequential`` in
the order of the model yaml's ``backbone`` + ``head`` lists, so its
state_dict keys are ``model.{i}.<layer's own keys>`` (a yaml line repeating
a layer n > 1 times adds ``.{j}``): ``model.0.conv.weight`` and
``model.0.bn.bn.*`` (``Conv_1`` / ``Conv_2``: conv + ``batch_norm_2d``
wrapping a ``BatchNorm3d``), ``model.{i}.residual_function.{1,4}.weight``
and ``.{2,5}.bn.*`` (the blocks' two convs and BNs),
``model.{i}.shortcut.{1,2}.*`` (shortcut conv and BN without a neuron
first: ``BasicBlock_ms``, ``ConcatBlock_ms``, ``Concat_res2``) or
``model.{i}.shortcut.{2,3}.*`` (after max pooling and a neuron:
``BasicBlock_2``, ``BasicBlock_1``), and ``model.{d}.m.{k}.{weight,bias}``
plus ``model.{d}.anchors`` (anchors in units of each level's stride) for
the ``Detect`` layer ``d``.

:func:`ems_yolo_layers` walks an mmsnn EMS-YOLO model (``EMSResNet``,
``EMSYOLONeck``, ``YOLOV5Head``) in the yaml's order, so every layer's index
is known, and :func:`convert_ems_yolo_state_dict` moves each tensor with
the checks of :func:`~mmsnn.conversion.ultralytics.copy_tensor_pairs`.
Nothing is permuted: BN statistics are per channel in both, and both heads
lay out a level's channels as ``[A, 5 + K]``.
"""
from typing import Dict, List, Mapping, NamedTuple

import torch
import torch.nn as nn
from torch import Tensor

from ..models.backbones import EMSResNet
from ..models.dense_heads import YOLOV5Head
from ..models.layers import EMSConv, MembraneBlock, MSBasicBlock
from ..models.necks import EMSYOLONeck
from ..utils.input_error import InputError
from .ultralytics import (_BN_FIELDS, TensorPair, copy_tensor_pairs,
                          load_ultralytics_checkpoint)


class YamlLayer(NamedTuple):
    """One layer of the EMS-YOLO yaml and its mmsnn module.

    Attributes:
        index (int): Its index in the yaml (``model.{index}``).
        src (str): Its key prefix in EMS-YOLO's state_dict.
        dst (str): Its module's name in the mmsnn model.
        module (nn.Module): The mmsnn module.
    """
    index: int
    src: str
    dst: str
    module: nn.Module


def ems_yolo_layers(model: nn.Module) -> List[YamlLayer]:
    """The yaml layers with parameters of an mmsnn EMS-YOLO model, in the
    yaml's order (``Sample`` and ``Concat`` have none; the ``Detect`` layer
    is not listed: its index is the last one's + 1).

    Args:
        model (nn.Module): A detector with an ``EMSResNet`` backbone and an
            ``EMSYOLONeck``.

    Returns:
        list[YamlLayer]
    """
    layers = [YamlLayer(0, 'model.0', 'backbone.stem', model.backbone.stem)]
    index = 1
    for s in range(1, 5):
        stage = getattr(model.backbone, f'layer{s}')
        layers.append(YamlLayer(index, f'model.{index}',
                                f'backbone.layer{s}.0', stage[0]))
        index += 1
        repeats = list(stage)[1:]
        for j, block in enumerate(repeats, start=1):
            # a yaml line of n > 1 layers is an nn.Sequential there
            src = f'model.{index}' if len(repeats) == 1 else \
                f'model.{index}.{j - 1}'
            layers.append(YamlLayer(index, src, f'backbone.layer{s}.{j}',
                                    block))
        index += bool(repeats)
    neck = model.neck
    # top, p5, lateral, (Sample, Concat), p4
    for offset, name in ((0, 'top_layer'), (1, 'p5_layer'),
                         (2, 'lateral_layer'), (5, 'p4_layer')):
        layers.append(YamlLayer(index + offset, f'model.{index + offset}',
                                f'neck.{name}', getattr(neck, name)))
    return layers


def _conv_bn(src_conv: str, src_bn: str, dst: str) -> List[tuple]:
    """(source, mmsnn) key suffixes of an ``EMSConv``: its conv and BN."""
    return [(f'{src_conv}.weight', f'{dst}.conv.weight')] + [
        (f'{src_bn}.bn.{f}', f'{dst}.bn.{f}') for f in _BN_FIELDS
    ]


def _layer_keys(module: nn.Module) -> List[tuple]:
    """(source, mmsnn) key suffixes of one yaml layer."""
    if isinstance(module, EMSConv):  # Conv_1, Conv_2, Conv
        return _conv_bn('conv', 'bn', '')
    if not isinstance(module, MembraneBlock):
        raise InputError(f'EMS-YOLO conversion: no EMS-YOLO layer is a '
                         f'{type(module).__name__}')
    keys = _conv_bn('residual_function.1', 'residual_function.2', '.conv1')
    keys += _conv_bn('residual_function.4', 'residual_function.5', '.conv2')
    if module.shortcut is not None:
        # max pool and a neuron come first in BasicBlock_2 / _1's shortcut
        first = 2 if isinstance(module, MSBasicBlock) and \
            module.spiking_shortcut else 1
        keys += _conv_bn(f'shortcut.{first}', f'shortcut.{first + 1}',
                         '.shortcut')
    return keys


def _check_model(model: nn.Module) -> None:
    parts = (('backbone', EMSResNet), ('neck', EMSYOLONeck),
             ('bbox_head', YOLOV5Head))
    for name, cls in parts:
        if not isinstance(getattr(model, name, None), cls):
            raise InputError(
                f'EMS-YOLO conversion needs a model with an {cls.__name__} '
                f'{name}; the config builds '
                f'{type(getattr(model, name, None)).__name__}: use an '
                'EMS-YOLO config (configs/ems_yolo/).')


def check_anchors(anchors: Tensor, head: YOLOV5Head, key: str,
                  name: str) -> None:
    """Refuse a checkpoint whose ``Detect`` anchors (grid units, ``[L, A,
    2]``) are not the head's ``base_sizes`` divided by its strides."""
    expected = torch.tensor(head.prior_generator.base_sizes,
                            dtype=torch.float64) / torch.tensor(
                                head.featmap_strides,
                                dtype=torch.float64)[:, None, None]
    if tuple(anchors.shape) != tuple(expected.shape) or not torch.allclose(
            anchors.double(), expected, rtol=1e-4, atol=1e-4):
        raise InputError(
            f'{name}: {key!r} holds anchors (in units of each level\'s '
            f'stride) {anchors.tolist()}, but the config\'s '
            f'anchor_generator base_sizes / featmap_strides give '
            f'{expected.tolist()}: set the yaml\'s anchors (in pixels) as '
            'base_sizes, P4 first.')


def convert_ems_yolo_state_dict(
        source: Mapping[str, Tensor],
        model: nn.Module,
        name: str = 'the checkpoint') -> Dict[str, Tensor]:
    """Convert an EMS-YOLO state_dict for an mmsnn EMS-YOLO model.

    Args:
        source (Mapping[str, Tensor]): EMS-YOLO's ``Model`` state_dict.
        model (nn.Module): The mmsnn detector it is for (its layer types
            say which keys each layer has).
        name (str): What to call the source in errors (e.g. its path).

    Returns:
        OrderedDict[str, Tensor]: With exactly the model's state_dict keys
        and shapes.

    Raises:
        InputError: The model is not an EMS-YOLO model, the source has
            another number of yaml layers, other anchors, or a key is
            missing, unexpected or of the wrong shape (the first is named).
    """
    _check_model(model)
    layers = ems_yolo_layers(model)
    detect = layers[-1].index + 1
    src_layers = {int(k.split('.')[1]) for k in source
                  if k.startswith('model.') and k.split('.')[1].isdigit()}
    if src_layers and max(src_layers) != detect:
        raise InputError(
            f'{name} has its Detect layer at model.{max(src_layers)}, but the '
            f'mmdet model\'s is at model.{detect} ({model.backbone.arch!r}): '
            'use the config of the yaml the checkpoint was trained with.')
    pairs = []
    for layer in layers:
        for src, dst in _layer_keys(layer.module):
            pairs.append(TensorPair(f'{layer.src}.{src}', f'{layer.dst}{dst}',
                                    f'yaml layer {layer.index}'))
    for k in range(len(model.bbox_head.convs_pred)):
        for field in ('weight', 'bias'):
            pairs.append(TensorPair(f'model.{detect}.m.{k}.{field}',
                                    f'bbox_head.convs_pred.{k}.{field}',
                                    f'yaml layer {detect} (Detect)'))
    anchors_key = f'model.{detect}.anchors'
    source = dict(source)
    if anchors_key in source:
        check_anchors(source.pop(anchors_key), model.bbox_head, anchors_key,
                      name)
    return copy_tensor_pairs(source, model.state_dict(), pairs, name,
                             'EMS-YOLO yaml')


def convert_ems_yolo_checkpoint(path: str,
                                model: nn.Module) -> Dict[str, Tensor]:
    """Read an EMS-YOLO checkpoint (``weights_only=True``), convert it for
    ``model`` and load it into ``model`` strictly.

    Args:
        path (str): A dict whose ``'model'`` entry is EMS-YOLO's state_dict
            (re-save their pickled model as ``{'model':
            ckpt['model'].float().state_dict()}`` where it unpickles), or a
            bare state_dict.
        model (nn.Module): The mmsnn EMS-YOLO detector it is for.

    Returns:
        dict[str, Tensor]: The converted state_dict (now also in ``model``).
    """
    state = convert_ems_yolo_state_dict(
        load_ultralytics_checkpoint(path, 'model.', 'model.{i}.conv.weight'),
        model, name=repr(path))
    model.load_state_dict(state, strict=True)
    return state
