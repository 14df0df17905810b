"""How a spiking backbone's first layer receives its input.

* ``'direct'``: a real-valued image ``[B, C, H, W]``, the same at every
  step (direct encoding: the image is repeated over T).
* ``'sequence'``: a sequence already folded time-major, ``[T*B, C, H, W]``
  (event frames from ``EventDetDataPreprocessor``): each step sees its own
  input. Its T must be the model's.
"""
import torch
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..time.folding import folded_time_steps

ENCODINGS = ('direct', 'sequence')


def check_encoding(encoding: str, owner: str) -> str:
    """Return ``encoding`` if it is one of :data:`ENCODINGS`."""
    if encoding not in ENCODINGS:
        raise ConfigValueError(
            f'{owner}: encoding must be one of {ENCODINGS}, got {encoding!r}')
    return encoding


def check_sequence_input(x: Tensor, time_steps: int, owner: str) -> None:
    """Raise unless ``x`` is a sequence folded with ``time_steps`` steps:
    tagged with that T and with a multiple of T rows.

    Args:
        x (Tensor): ``[T*B, C, H, W]``, tagged with its T by
            :func:`~mmsnn.models.time.folding.mark_time_folded`.
        time_steps (int): The model's T.
        owner (str): How to name the module in the error.
    """
    if torch.jit.is_tracing() or torch.jit.is_scripting() or \
            torch.compiler.is_compiling():
        return
    tag = folded_time_steps(x)
    if tag is None:
        raise ValueError(
            f"{owner} has encoding='sequence' but got an input of shape "
            f'{tuple(x.shape)} that is not a time-folded sequence: use '
            "EventDetDataPreprocessor(fold='time') (it folds [B, T, C, H, W] "
            "event frames to [T*B, C, H, W] and tags them), or "
            "encoding='direct' for images.")
    if tag != time_steps:
        raise ValueError(
            f'{owner} runs T={time_steps} time steps, but its input sequence '
            f'has {tag} time bins. Make the event representation\'s '
            f'num_bins equal to the model\'s time_steps (one variable at the '
            'top of the config).')
    if x.shape[0] % time_steps:
        raise ValueError(
            f'{owner} runs T={time_steps} time steps, but its input sequence '
            f'of shape {tuple(x.shape)} has {x.shape[0]} rows, not a multiple'
            f' of T (expected [T*B, C, H, W], time-major).')
