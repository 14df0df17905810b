"""SpikeYOLO checkpoints (BICLab/SpikeYOLO, ultralytics 8) into mmsnn.

Their model is ultralytics' ``DetectionModel`` built from
``snn_yolov8.yaml``: a ``model`` list with one entry per yaml layer, so
their state_dict keys are ``model.{i}.<path inside the block>`` (``i`` the
yaml index; a layer repeated ``n > 1`` times is a ``Sequential`` and adds
the block index, ``model.4.1.Conv.pwconv1.weight``). mmsnn's blocks keep
their inner names (:mod:`mmsnn.models.layers.spikeyolo_bricks`), so a key
converts by replacing ``model.{i}`` with the module that plays yaml layer
``i`` (:data:`SPIKEYOLO_LAYERS`); nothing is permuted.

ultralytics saves the whole pickled model under ``'model'``; mmsnn reads
only state_dicts (``weights_only=True``). Re-save theirs once where their
code is installed: ``torch.save({'model': ckpt['model'].float()
.state_dict()}, 'spikeyolo_sd.pt')``.
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Tuple

import torch
from torch import Tensor

from ..utils.input_error import InputError
from .ultralytics import load_ultralytics_checkpoint

#: yaml layer index -> (mmsnn module, first block index if the layer is a
#: run of blocks appended to a stage, else None). Layers 0, 11, 13, 15, 17,
#: 21, 24 (time repeat, upsampling, concatenations) have no weights.
SPIKEYOLO_LAYERS: Dict[int, Tuple[str, Optional[int]]] = {
    1: ('backbone.stem', None),
    2: ('backbone.stage1', 0),
    3: ('backbone.stage2.0', None),
    4: ('backbone.stage2', 1),
    5: ('backbone.stage3.0', None),
    6: ('backbone.stage3', 1),
    7: ('backbone.stage4.0', None),
    8: ('backbone.stage4', 1),
    9: ('backbone.stage4', None),  # SPPF: after layer 8's blocks
    10: ('neck.reduce_p5', None),
    12: ('neck.top_down_p4', None),
    14: ('neck.reduce_p4', None),
    16: ('neck.top_down_p3', None),
    18: ('neck.reduce_p3', None),
    19: ('neck.out_p3', None),
    20: ('neck.downsample_p3', None),
    22: ('neck.out_p4', None),
    23: ('neck.downsample_p4', None),
    25: ('neck.out_p5', None),
    26: ('bbox_head', None),
}

_KEY = re.compile(r'model\.(\d+)\.(.+)')
_BLOCK = re.compile(r'(\d+)\.(.+)')


def _sppf_prefix(target: Mapping[str, Tensor]) -> str:
    """``backbone.stage4.{k}``: the last module of stage 4."""
    last = max(int(k.split('.')[2]) for k in target
               if k.startswith('backbone.stage4.'))
    return f'backbone.stage4.{last}'


def spikeyolo_key(key: str, source_keys, sppf: str) -> Optional[str]:
    """The mmsnn key of one of their keys, or None if it has no place.

    Args:
        key (str): Their key, ``model.{i}.<rest>``.
        source_keys (set[str]): All their keys (to tell a run of blocks,
            ``model.{i}.{j}.<rest>``, from a single block).
        sppf (str): The module of their layer 9.
    """
    match = _KEY.fullmatch(key)
    if not match or int(match[1]) not in SPIKEYOLO_LAYERS:
        return None
    index, rest = int(match[1]), match[2]
    prefix, first_block = SPIKEYOLO_LAYERS[index]
    if index == 9:
        return f'{sppf}.{rest}'
    if first_block is None:
        return f'{prefix}.{rest}'
    block = _BLOCK.fullmatch(rest)
    if block and f'model.{index}.0.{block[2]}' in source_keys:  # n > 1
        return f'{prefix}.{first_block + int(block[1])}.{block[2]}'
    return f'{prefix}.{first_block}.{rest}'


def convert_spikeyolo_state_dict(
        source: Mapping[str, Tensor],
        target: Mapping[str, Tensor],
        name: str = 'the checkpoint') -> 'OrderedDict[str, Tensor]':
    """Rename a SpikeYOLO state_dict (``model.{i}.*``) to mmsnn's.

    Args:
        source (Mapping[str, Tensor]): Their state_dict.
        target (Mapping[str, Tensor]): The mmsnn ``SpikeYOLO`` model's
            state_dict (names, shapes and dtypes to fill).
        name (str): The source in error messages (e.g. its path).

    Returns:
        OrderedDict[str, Tensor]: Exactly ``target``'s keys, in its order.

    Raises:
        InputError: One paragraph naming the first key that does not fit:
            a key of theirs with no place in the model, a shape that
            differs, or a key of the model that theirs lacks.
    """
    keys, sppf = set(source), _sppf_prefix(target)
    out = {}
    for key, value in source.items():
        dst = spikeyolo_key(key, keys, sppf)
        if dst is None or dst not in target:
            raise InputError(
                f'{name}: its key {key!r} has no place in the mmsnn model'
                + (f' (it would be {dst!r})' if dst else '') + ': is it a '
                'SpikeYOLO checkpoint of snn_yolov8.yaml at the scale of '
                'the config (deepen_factor, widen_factor, the neck\'s '
                'last_mlp_ratio: 2 for m and l)?')
        if tuple(value.shape) != tuple(target[dst].shape):
            raise InputError(
                f'{name}: its key {key!r} has shape {tuple(value.shape)}, but '
                f'the mmsnn model\'s {dst!r} is {tuple(target[dst].shape)}: '
                'check the scale (widen_factor) and num_classes of the '
                'config (cv3.*.2 predicts num_classes channels).')
        out[dst] = value.to(target[dst].dtype).clone()
    missing = [k for k in target if k not in out]
    if missing:
        raise InputError(
            f'{name} has no tensor for the mmsnn model\'s {missing[0]!r} '
            f'({len(missing)} such keys): the config has more blocks than '
            'the checkpoint (deepen_factor) or another architecture.')
    return OrderedDict((k, out[k]) for k in target)


def convert_spikeyolo_checkpoint(path: str,
                                 model: torch.nn.Module) -> Dict[str, Tensor]:
    """Read a SpikeYOLO state_dict checkpoint, convert it for ``model`` and
    load it strictly.

    Args:
        path (str): ``{'model': state_dict}`` (or a bare state_dict) with
            their keys.
        model (nn.Module): The ``SpikeYOLO`` detector of the matching
            config.

    Returns:
        dict[str, Tensor]: The converted state_dict (now in ``model``).
    """
    state = convert_spikeyolo_state_dict(
        load_ultralytics_checkpoint(path, 'model.',
                                    'model.{i}.encode_conv.weight'),
        model.state_dict(), name=repr(path))
    model.load_state_dict(state, strict=True)
    return state
