"""Does a checkpoint fit a model: the names and shapes of its tensors.

mmengine's ``load_checkpoint`` (``strict=False``) only logs size mismatches
and leaves those layers at their initial values, so a checkpoint of
another width or depth would "load" into a mostly random model. Here that
is refused, naming the tensors, before any work starts.
"""
from typing import Dict, Optional

import torch

from mmsnn.utils import InputError
from .file import load_checkpoint_to_check
from .finite import check_finite

# How many mismatched tensors a message lists.
_MAX_LISTED = 10


def _model_state(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The model tensors of a checkpoint, without a ``module.`` prefix."""
    state = checkpoint.get('state_dict', checkpoint)
    return {k[7:] if k.startswith('module.') else k: v
            for k, v in state.items() if hasattr(v, 'shape')}


def check_load_from_shapes(model, filename: str,
                           allow_class_mismatch: bool = True,
                           checkpoint: Optional[dict] = None,
                           strict_keys: bool = False) -> None:
    """Compare a checkpoint's tensor shapes with a model's before loading.

    When every mismatch is in the first (output) dimension only, which is
    what a different ``num_classes`` gives in the prediction layers,
    fine-tuning goes on with mmengine's warning.

    Args:
        model (nn.Module): The model (wrappers' ``.module`` are unwrapped).
        filename (str): The checkpoint (``load_from``).
        allow_class_mismatch (bool): Tolerate output-dimension-only
            mismatches (fine-tuning). False for testing. Defaults to True.
        checkpoint (dict, optional): The checkpoint, if already loaded.
        strict_keys (bool): Also refuse keys missing on either side (what
            ``--resume`` needs: it restores the optimizer of every
            parameter). Defaults to False.

    Raises:
        InputError: Names the mismatched keys with both shapes, or says that
            no key of the checkpoint matches the model.
    """
    while hasattr(model, 'module'):  # DDP and/or a test-time-aug wrapper
        model = model.module
    if checkpoint is None:
        checkpoint = load_checkpoint_to_check(filename)
    state = _model_state(checkpoint)
    own = model.state_dict()
    common = [k for k in state if k in own]
    if not common:
        raise InputError(
            f'No parameter of checkpoint {filename} matches the '
            f'{type(model).__name__} of the config (checkpoint keys look '
            f'like {list(state)[:3]}, model keys like {list(own)[:3]}). Is '
            'it a checkpoint of this kind of model?')
    bad, only_outputs = [], True
    for k in common:
        a, b = tuple(state[k].shape), tuple(own[k].shape)
        if a != b:
            bad.append(f'{k}: checkpoint {a}, model {b}')
            only_outputs &= len(a) == len(b) and a[1:] == b[1:]
    if allow_class_mismatch and only_outputs:
        return  # a new num_classes: mmengine warns and skips those layers
    if bad:
        more = (f' (and {len(bad) - _MAX_LISTED} more)'
                if len(bad) > _MAX_LISTED else '')
        raise InputError(
            f'Checkpoint {filename} does not fit the model of the config: '
            f'{len(bad)} of {len(common)} shared tensors differ in shape: ' +
            '; '.join(bad[:_MAX_LISTED]) + more + '. The checkpoint must '
            'come from the same architecture (widen_factor, stage_blocks, '
            'SPP, num_classes, input channels) as the config builds, as an '
            'ANN twin that initialises an SNN does.')
    if strict_keys:
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if missing or unexpected:
            raise InputError(
                f'Checkpoint {filename} does not hold the same tensors as the '
                f'model of the config: {len(missing)} missing (e.g. '
                f'{missing[:5]}), {len(unexpected)} unexpected (e.g. '
                f'{unexpected[:5]}). --resume continues one run of one '
                'config; to initialise another model from it, use '
                '--cfg-options load_from=<file> instead.')


def check_load_from(model, filename: str) -> None:
    """What ``load_from`` (initialisation, fine-tuning) needs of a
    checkpoint: readable, fitting shapes (a new ``num_classes`` allowed),
    finite weights. Another model type (an ANN twin for an SNN) is the
    documented way to initialise, so it is not refused.

    Args:
        model (nn.Module): The runner's model.
        filename (str): The checkpoint.

    Raises:
        InputError: See :func:`check_load_from_shapes` and
            :func:`~mmsnn.engine.checkpoint.check_finite`.
    """
    checkpoint = load_checkpoint_to_check(filename)
    check_load_from_shapes(model, filename, checkpoint=checkpoint)
    check_finite(checkpoint, filename)
