"""Checkpoints of ultralytics-style YOLOv3(-SPP) into mmsnn's YOLOv3 models.

The authors of SNN-YOLOv3 release an ultralytics-derived YOLOv3-SPP
(``cfg/my_yolov3.cfg``): a ``module_list`` with one entry per cfg section
(convolutional, shortcut, route, maxpool, upsample, yolo). Their checkpoints
are dicts whose ``'model'`` entry is a state_dict keyed
``module_list.{i}.Conv2d.weight``, ``module_list.{i}.BatchNorm2d.{weight,
bias, running_mean, running_var, num_batches_tracked}``, and
``module_list.{i}.Conv2d.bias`` for the prediction convs (i = 88, 100, 112).

mmdet's YOLOv3 names the same convs by role (``backbone.conv_res_block3.res2
.conv1``, ``neck.detect1.conv3.conv2`` ...). :func:`ultralytics_layer_map`
walks the darknet cfg's section order for the target model's layout, so
every cfg index is known, and :func:`convert_ultralytics_state_dict` moves
each tensor. Two things differ besides names:

* SPP: the cfg concatenates ``[p13, p9, p5, x]`` (route -1,-3,-5,-6); mmdet's
  :class:`SPPBottleneck` concatenates ``[x, p5, p9, p13]``, so the input
  channels of the SPP output conv are permuted block-wise.
* Nothing else: both heads lay out a prediction map's channels as
  ``[A, 5 + K]`` per cell (ultralytics ``view(bs, na, no, ny, nx)``, mmdet
  ``reshape(..., num_base_priors, num_attrib)``) with the attributes in the
  same order (x, y, w, h, objectness, classes) and the anchors of a level in
  the same order, so the prediction convs copy unchanged.
"""
import os.path as osp
from collections import OrderedDict
from functools import partial
from typing import (Callable, Dict, List, Mapping, NamedTuple, Optional,
                    Sequence)

import torch
from torch import Tensor

from ..utils.input_error import InputError

_BN_FIELDS = ('weight', 'bias', 'running_mean', 'running_var',
              'num_batches_tracked')


class CfgConv(NamedTuple):
    """One convolutional section of the darknet cfg and its mmdet module.

    Attributes:
        index (int): Its index in ``module_list``.
        prefix (str): The mmdet module (a ``ConvModule``, or a bare
            ``nn.Conv2d`` for prediction convs).
        kind (str): ``'conv_bn'``, ``'pred'`` (conv with bias, no BN) or
            ``'spp_out'`` (conv_bn whose input is SPP's concatenation).
    """
    index: int
    prefix: str
    kind: str


def _count(keys, fmt: str) -> int:
    n = 0
    while fmt.format(n + 1) in keys:
        n += 1
    return n


def ultralytics_layer_map(target: Mapping[str, Tensor]) -> List[CfgConv]:
    """The darknet-cfg index of every conv of an mmdet YOLOv3 state_dict.

    Supports mmdet's ``Darknet`` / ``SpikingDarknet`` backbone (any stage
    layout), ``YOLOV3Neck`` / ``SpikingYOLOV3Neck`` with or without SPP and
    ``YOLOV3Head`` (or subclasses), as ultralytics' ``yolov3.cfg`` and
    ``yolov3-spp.cfg`` order them.

    Args:
        target (Mapping[str, Tensor]): The mmdet model's state_dict.

    Returns:
        list[CfgConv]: In cfg order.
    """
    keys = set(target)
    convs = []
    i = 0

    def conv(prefix, kind='conv_bn'):
        nonlocal i
        convs.append(CfgConv(i, prefix, kind))
        i += 1

    conv('backbone.conv1')
    num_stages = _count(keys, 'backbone.conv_res_block{}.conv.conv.weight')
    for s in range(1, num_stages + 1):
        stage = f'backbone.conv_res_block{s}'
        conv(f'{stage}.conv')
        b = 0
        while f'{stage}.res{b}.conv1.conv.weight' in keys:
            conv(f'{stage}.res{b}.conv1')
            conv(f'{stage}.res{b}.conv2')
            i += 1  # shortcut
            b += 1
    num_levels = _count(keys, 'neck.detect{}.conv1.conv.weight')
    for level in range(num_levels):
        if level:
            i += 1  # route -4
            conv(f'neck.conv{level}')
            i += 2  # upsample, route -1,<backbone>
        block = f'neck.detect{level + 1}'
        conv(f'{block}.conv1')
        conv(f'{block}.conv2')
        if f'{block}.conv3.conv1.conv.weight' in keys:  # SPPBottleneck
            spp = f'{block}.conv3'
            conv(f'{spp}.conv1')
            num_pools = (target[f'{spp}.conv2.conv.weight'].shape[1] //
                         target[f'{spp}.conv1.conv.weight'].shape[0]) - 1
            i += 2 * num_pools  # maxpool, route -2, ..., maxpool, route
            conv(f'{spp}.conv2', 'spp_out')
        else:
            conv(f'{block}.conv3')
        conv(f'{block}.conv4')
        conv(f'{block}.conv5')
        conv(f'bbox_head.convs_bridge.{level}')
        conv(f'bbox_head.convs_pred.{level}', 'pred')
        i += 1  # yolo
    return convs


def _pairs(layer: CfgConv):
    """(ultralytics key, mmdet key) of every tensor of one conv section."""
    src = f'module_list.{layer.index}'
    if layer.kind == 'pred':
        return [(f'{src}.Conv2d.{f}', f'{layer.prefix}.{f}')
                for f in ('weight', 'bias')]
    return [(f'{src}.Conv2d.weight', f'{layer.prefix}.conv.weight')] + [
        (f'{src}.BatchNorm2d.{f}', f'{layer.prefix}.bn.{f}')
        for f in _BN_FIELDS
    ]


def spp_concat_to_mmdet(weight: Tensor, num_chunks: int) -> Tensor:
    """Reorder the input channels of SPP's output conv from ultralytics'
    concat order ``[p_k, ..., p_1, x]`` to mmdet's ``[x, p_1, ..., p_k]``.

    Args:
        weight (Tensor): ``[C_out, num_chunks * C, 1, 1]``.
        num_chunks (int): Pools + 1.
    """
    return torch.cat(weight.chunk(num_chunks, dim=1)[::-1], dim=1)


def convert_ultralytics_state_dict(
        source: Mapping[str, Tensor],
        target: Mapping[str, Tensor],
        name: str = 'the checkpoint') -> 'OrderedDict[str, Tensor]':
    """Convert an ultralytics ``module_list`` state_dict to mmdet names.

    Args:
        source (Mapping[str, Tensor]): The ultralytics state_dict.
        target (Mapping[str, Tensor]): The mmdet model's state_dict (names
            and shapes to fill; its values are not used).
        name (str): What to call the source in errors (e.g. its path).

    Returns:
        OrderedDict[str, Tensor]: With exactly ``target``'s keys and shapes.

    Raises:
        InputError: The source's conv count differs from the model's, or a
            key is missing, unexpected or of the wrong shape (the first one
            is named).
    """
    layers = ultralytics_layer_map(target)
    src_convs = sorted({int(k.split('.')[1]) for k in source
                        if k.startswith('module_list.')
                        and k.endswith('.Conv2d.weight')})
    if len(src_convs) != len(layers):
        raise InputError(
            f'{name} has {len(src_convs)} conv layers (module_list.*.Conv2d'
            f'.weight), but the mmdet model has {len(layers)} (the authors\' '
            'YOLOv3-SPP has 76, plain YOLOv3 75): use the config matching '
            'its darknet cfg (configs/snn_yolov3/snn-yolov3-spp_d53_8xb8-416-'
            '100e_voc2012_t6_authors.py for their cfg/my_yolov3.cfg) and '
            'num_classes.')
    pairs = []
    for layer in layers:
        for src_key, dst_key in _pairs(layer):
            transform = None
            if layer.kind == 'spp_out' and dst_key.endswith('conv.weight'):
                num_chunks = (target[dst_key].shape[1] //
                              target[dst_key.replace('conv2', 'conv1')]
                              .shape[0])
                transform = partial(spp_concat_to_mmdet,
                                    num_chunks=num_chunks)
            pairs.append(TensorPair(src_key, dst_key,
                                    f'cfg layer {layer.index}', transform))
    return copy_tensor_pairs(source, target, pairs, name, 'darknet cfg')


class TensorPair(NamedTuple):
    """One tensor of a foreign checkpoint and its place in the model.

    Attributes:
        src (str): Key in the foreign state_dict.
        dst (str): Key in the model's state_dict.
        where (str): The foreign layer, for errors (``'cfg layer 31'``).
        transform (callable, optional): Applied to the tensor first.
    """
    src: str
    dst: str
    where: str
    transform: Optional[Callable[[Tensor], Tensor]] = None


def copy_tensor_pairs(source: Mapping[str, Tensor],
                      target: Mapping[str, Tensor],
                      pairs: Sequence[TensorPair],
                      name: str,
                      architecture: str) -> 'OrderedDict[str, Tensor]':
    """Move every tensor named by ``pairs`` from ``source`` to its place in
    ``target``, or refuse, naming the first key that does not fit.

    Args:
        source (Mapping[str, Tensor]): The foreign state_dict.
        target (Mapping[str, Tensor]): The model's state_dict (names and
            shapes to fill).
        pairs (Sequence[TensorPair]): Where each tensor goes.
        name (str): What to call the source in errors.
        architecture (str): What the source was built from, for errors
            (``'darknet cfg'``, ``'EMS-YOLO yaml'``).

    Returns:
        OrderedDict[str, Tensor]: With exactly ``target``'s keys and shapes.

    Raises:
        InputError: A key is missing, unexpected or of the wrong shape.
    """
    out = OrderedDict()
    for pair in pairs:
        if pair.src not in source:
            raise InputError(
                f'{name} has no {pair.src!r}, which the mmdet model\'s '
                f'{pair.dst!r} needs ({pair.where}): is it a checkpoint of '
                f'the same {architecture}?')
        if pair.dst not in target:
            raise InputError(
                f'the mmdet model has no {pair.dst!r} for {pair.src!r} of '
                f'{name}: the config does not build this architecture.')
        value = source[pair.src]
        if pair.transform is not None:
            value = pair.transform(value)
        if tuple(value.shape) != tuple(target[pair.dst].shape):
            raise InputError(
                f'{name}: {pair.src!r} has shape {tuple(value.shape)}, but '
                f'the mmdet model\'s {pair.dst!r} is '
                f'{tuple(target[pair.dst].shape)}: check num_classes '
                '(prediction convs have 3 * (5 + K) outputs) and the '
                'widths of the config.')
        out[pair.dst] = value.clone()
    expected = {pair.src for pair in pairs}
    unexpected = [k for k in source if k not in expected]
    if unexpected:
        raise InputError(
            f'{name} has {unexpected[0]!r}, which has no place in the mmdet '
            f'model ({len(unexpected)} such keys).')
    missing = [k for k in target if k not in out]
    if missing:
        raise InputError(
            f'the mmdet model\'s {missing[0]!r} has no counterpart in {name} '
            f'({len(missing)} such keys): the config builds a different '
            'architecture.')
    return OrderedDict((k, out[k]) for k in target)


def load_ultralytics_checkpoint(
        path: str,
        key_prefix: str = 'module_list.',
        example_key: str = 'module_list.{i}.Conv2d.weight'
) -> Dict[str, Tensor]:
    """Read the state_dict of an ultralytics-style checkpoint with
    ``weights_only=True`` (no arbitrary unpickling).

    Args:
        path (str): A ``.pt`` / ``.pth`` file: a dict with ``'model'`` (a
            state_dict), or a bare state_dict.
        key_prefix (str): What its keys start with: ``'module_list.'``
            (ultralytics' YOLOv3 repository) or ``'model.'`` (its YOLOv5 and
            YOLOv8 repositories and forks such as EMS-YOLO, SpikeYOLO). Defaults to
            ``'module_list.'``.
        example_key (str): A key of that format, for the error message.
    """
    if not osp.isfile(path):
        raise InputError(f'checkpoint {path!r} does not exist.')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # torch raises UnpicklingError and others
        raise InputError(
            f'could not read {path!r} with torch.load(weights_only=True) '
            f'({type(e).__name__}: {str(e).splitlines()[0]}). mmsnn does not '
            'unpickle arbitrary objects: if the file holds a whole pickled '
            'model, re-save its state_dict() in a trusted environment as '
            "{'model': model.state_dict()}.") from None
    state = ckpt.get('model', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, Mapping) or not any(
            isinstance(k, str) and k.startswith(key_prefix) for k in state):
        raise InputError(
            f'{path!r} is not an ultralytics-style checkpoint: expected a '
            "dict whose 'model' entry is a state_dict with keys "
            f"{example_key!r}, ...")
    return dict(state)


def convert_ultralytics_checkpoint(
        path: str, model: torch.nn.Module) -> Dict[str, Tensor]:
    """Read an ultralytics-style checkpoint, convert it for ``model`` and
    load it into ``model`` strictly.

    Args:
        path (str): The ultralytics checkpoint.
        model (nn.Module): The mmdet detector it is for (e.g. built from the
            authors' config).

    Returns:
        dict[str, Tensor]: The converted state_dict (now also in ``model``).
    """
    state = convert_ultralytics_state_dict(
        load_ultralytics_checkpoint(path), model.state_dict(), name=repr(path))
    model.load_state_dict(state, strict=True)
    return state
