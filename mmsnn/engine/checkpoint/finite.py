"""Finiteness of a checkpoint's tensors: a diverged run's NaN and inf."""
import math
from typing import Iterator, List, Tuple

import torch

from mmsnn.utils import InputError

# How many offending tensors a message lists.
_MAX_LISTED = 10


def _iter_tensors(obj, prefix: str) -> Iterator[Tuple[str, torch.Tensor]]:
    """Every tensor in nested dicts/lists/tuples, with its dotted path."""
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _iter_tensors(v, f'{prefix}.{k}' if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _iter_tensors(v, f'{prefix}.{i}' if prefix else str(i))


def nonfinite_tensors(checkpoint: dict,
                      parts: Tuple[str, ...] = ('state_dict', 'optimizer')
                      ) -> List[str]:
    """Describe every floating tensor holding NaN or infinity.

    Args:
        checkpoint (dict): A checkpoint as mmengine saves it (a bare
            state_dict counts as ``state_dict``).
        parts (tuple[str]): Its top-level entries to look at: the model
            (parameters and buffers such as BN running statistics) and the
            optimizer state (momentum, Adam moments). Defaults to both.

    Returns:
        list[str]: e.g. ``'state_dict.backbone.conv1.bn.running_var (inf in
        3 of 16 values)'``; empty when everything is finite.
    """
    if 'state_dict' not in checkpoint:
        checkpoint = {'state_dict': checkpoint}
    found = []
    for part in parts:
        for key, tensor in _iter_tensors(checkpoint.get(part), part):
            if not (tensor.is_floating_point() or tensor.is_complex()):
                continue
            bad = ~torch.isfinite(tensor)
            count = int(bad.sum())
            if count:
                kinds = sorted({'nan' if math.isnan(v) else 'inf'
                                for v in tensor[bad][:1000].tolist()})
                found.append(f'{key} ({"/".join(kinds)} in {count} of '
                             f'{tensor.numel()} values)')
    return found


def check_finite(checkpoint: dict, filename: str,
                 parts: Tuple[str, ...] = ('state_dict', )) -> None:
    """Refuse a checkpoint with NaN or infinite tensors.

    Args:
        checkpoint (dict): The loaded checkpoint.
        filename (str): Its file, for the message.
        parts (tuple[str]): What to check, see :func:`nonfinite_tensors`.

    Raises:
        InputError: Lists the first offending tensors.
    """
    bad = nonfinite_tensors(checkpoint, parts)
    if bad:
        more = (f' (and {len(bad) - _MAX_LISTED} more)'
                if len(bad) > _MAX_LISTED else '')
        raise InputError(
            f'Checkpoint {filename} holds non-finite values in {len(bad)} '
            'tensor(s): ' + '; '.join(bad[:_MAX_LISTED]) + more + '. A model '
            'with them predicts nothing useful (mAP 0) and cannot be trained '
            'on; it comes from a run that diverged (too high a learning '
            'rate, usually). Use an earlier checkpoint of that run: mmsnn '
            'saves only finite ones, and the message that stopped it named '
            'the last good one.')
