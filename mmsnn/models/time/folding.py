"""How time travels between modules: the one place that knows the layout.

Spiking modules exchange tensors with time folded into the batch, time-major:
a tensor of shape ``[T*B, ...]`` whose rows ``t*B:(t+1)*B`` hold time step
``t``. Stateless layers (conv, BN, pooling, upsampling, concat) then serve all
T steps with one call; neurons unfold the time axis to integrate over it.

Two operations cross the boundary with real-valued (ANN) modules:

* :func:`repeat_over_time` - ANN -> SNN: the same input at every step
  (direct encoding), ``[B, ...] -> [T*B, ...]``.
* :func:`decode_over_time` - SNN -> ANN: ``'mean'`` (Current Mean Decoding,
  paper Eq. 6) or ``'sum'`` over T, ``[T*B, ...] -> [B, ...]``.

Who sets T on the modules (owners, containers, detectors) is
:mod:`.owner`'s business.

Tensors that leave a spiking module still time-folded carry a small tag,
the T they were folded with (:func:`mark_time_folded`). The next spiking
module checks it (:func:`check_time_folded`), so two parts built with
different ``time_steps`` fail with a clear error instead of silently reading
a batch of ``T1*B`` rows as ``T2`` steps of ``T1*B/T2`` images.
"""
import warnings
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import torch
from torch import Tensor

from ...utils.input_error import ConfigValueError

#: How the prediction layer turns T steps into one real-valued output.
#: ``'rate'`` decodes spikes of extra output neurons by their mean.
DECODE_MODES = ('mean', 'sum', 'rate')

Features = Union[Tensor, Sequence[Tensor]]


def check_time_steps(time_steps, name: str = 'time_steps') -> int:
    """Return ``time_steps`` if it is a positive integer, else raise.

    Args:
        time_steps: The value to check.
        name (str): What to call it in the error message.
    """
    if isinstance(time_steps, bool) or not isinstance(time_steps, int) \
            or time_steps < 1:
        raise ConfigValueError(
            f'{name} must be a positive integer (the number of time steps '
            f'T), got {time_steps!r}')
    return time_steps


def check_decode_mode(decode_mode: str) -> str:
    """Return ``decode_mode`` if it is one of :data:`DECODE_MODES`."""
    if decode_mode not in DECODE_MODES:
        raise ConfigValueError(
            f'decode_mode must be one of {DECODE_MODES}, got {decode_mode!r}')
    return decode_mode


def resolve_decode_mode(decode_mode: Optional[str], old_value: Optional[str],
                        old_name: str, owner: str,
                        default: Optional[str] = 'mean') -> Optional[str]:
    """``decode_mode``, or the value of a deprecated argument for it.

    Decoding is chosen by one argument name everywhere, ``decode_mode``;
    configs written with an older name (``TimeDecode(mode=...)``,
    ``Spikify(decode=...)``) keep working with a ``DeprecationWarning``.

    Args:
        decode_mode (str, optional): The value given as ``decode_mode``.
        old_value (str, optional): The value given under the old name.
        old_name (str): The old name, for the messages.
        owner (str): The component, for the messages.
        default (str, optional): When neither is given. Defaults to
            ``'mean'``.

    Returns:
        str | None: The decoding, checked against :data:`DECODE_MODES`
        unless None.
    """
    if old_value is not None:
        if decode_mode is not None and decode_mode != old_value:
            raise ConfigValueError(
                f'{owner}: decode_mode={decode_mode!r} and the deprecated '
                f'{old_name}={old_value!r} disagree; give decode_mode only')
        warnings.warn(
            f'{owner}: `{old_name}` is deprecated, use '
            f'`decode_mode={old_value!r}`', DeprecationWarning, stacklevel=3)
        decode_mode = old_value
    if decode_mode is None:
        decode_mode = default
    return None if decode_mode is None else check_decode_mode(decode_mode)


def unfold_time(x: Tensor, time_steps: int) -> Tensor:
    """``[T*B, ...] -> [T, B, ...]`` (a view)."""
    if x.shape[0] % time_steps:
        raise ValueError(
            f'expected a time-folded tensor with T*B rows for T={time_steps},'
            f' got shape {tuple(x.shape)}: did a real-valued input skip '
            'repeat_over_time (or TimeRepeat), or do two modules disagree on '
            'time_steps?')
    return x.view(time_steps, x.shape[0] // time_steps, *x.shape[1:])


def fold_time(x_seq: Tensor) -> Tensor:
    """``[T, B, ...] -> [T*B, ...]``."""
    return x_seq.flatten(0, 1)


def repeat_over_time(x: Tensor, time_steps: int) -> Tensor:
    """Direct encoding: the same input at every step.

    Args:
        x (Tensor): Real-valued input of shape ``[B, ...]``.
        time_steps (int): T.

    Returns:
        Tensor: Shape ``[T*B, ...]``, time-major.
    """
    return fold_time(x.unsqueeze(0).expand(time_steps, *x.shape))


def decode_over_time(x: Tensor,
                     time_steps: int,
                     decode_mode: str = 'mean') -> Tensor:
    """Reduce the time axis: the SNN -> ANN boundary.

    ``'mean'`` is Current Mean Decoding (paper Eq. 6) when ``x`` is the
    synaptic current ``W s[t] + b`` of the prediction layer (the bias then
    counts once), and the firing rate when ``x`` is spikes (``'rate'`` is
    the same reduction). ``'sum'`` is what the authors' code does (the bias
    then counts T times).

    Args:
        x (Tensor): Shape ``[T*B, ...]``.
        time_steps (int): T.
        decode_mode (str): ``'mean'``, ``'rate'`` or ``'sum'``.

    Returns:
        Tensor: Shape ``[B, ...]``.
    """
    x_seq = unfold_time(x, time_steps)
    if decode_mode == 'sum':
        return x_seq.sum(0)
    check_decode_mode(decode_mode)
    return x_seq.mean(0)


def map_features(fn: Callable[[Tensor], Tensor], feats: Features) -> Features:
    """Apply ``fn`` to a tensor or to each tensor of a tuple/list."""
    if isinstance(feats, Tensor):
        return fn(feats)
    return type(feats)(fn(f) for f in feats) if isinstance(
        feats, (tuple, list)) else fn(feats)


#: Attribute of a time-folded tensor that holds the T it was folded with.
TIME_TAG = '_mmsnn_time_steps'


def map_nested(fn: Callable[[Tensor], Tensor], feats: Any) -> Any:
    """Apply ``fn`` to every tensor of nested tuples/lists (a head's output
    is a tuple of per-level lists); anything else passes through."""
    if isinstance(feats, Tensor):
        return fn(feats)
    if isinstance(feats, (tuple, list)):
        return map_features(lambda f: map_nested(fn, f), feats)
    return feats


def _tensors(feats: Any) -> Iterator[Tensor]:
    if isinstance(feats, Tensor):
        yield feats
    elif isinstance(feats, (tuple, list)):
        for f in feats:
            yield from _tensors(f)


def mark_time_folded(feats: Any, time_steps: int) -> Any:
    """Tag every tensor of ``feats`` as folded with ``time_steps``; returns
    ``feats`` unchanged otherwise."""
    if torch.jit.is_tracing() or torch.jit.is_scripting() or \
            torch.compiler.is_compiling():
        return feats
    for t in _tensors(feats):
        setattr(t, TIME_TAG, time_steps)
    return feats


def folded_time_steps(feats: Any) -> Optional[int]:
    """The T that ``feats`` were tagged with, or None if untagged."""
    for t in _tensors(feats):
        tag = getattr(t, TIME_TAG, None)
        if tag is not None:
            return tag
    return None


def check_time_folded(feats: Any, time_steps: int, owner: str) -> None:
    """Raise if ``feats`` were folded with another T than ``time_steps``.

    Args:
        feats: The input of a module that expects time-folded tensors.
        time_steps (int): The module's T.
        owner (str): How to name the module in the error.
    """
    tag = folded_time_steps(feats)
    if tag is not None and tag != time_steps:
        raise ValueError(
            f'{owner} has time_steps={time_steps}, but its input was '
            f'time-folded with time_steps={tag} by the spiking module before '
            'it. Give every spiking part the same T (one `time_steps` '
            'variable at the top of the config).')


def check_not_folded(feats: Any, owner: str) -> None:
    """Raise if ``feats`` are already time-folded (a second encoding)."""
    tag = folded_time_steps(feats)
    if tag is not None:
        raise ValueError(
            f'{owner} repeats its input over time, but the input is already '
            f'time-folded (time_steps={tag}, from a spiking module): drop the '
            'TimeRepeat, or set encode=False.')

