"""How the gradient flows through time: the training mode of a spiking model.

``model.bptt`` of a spiking detector chooses it (one config key, given to
the parts that need it when the detector is built):

* ``dict(mode='full')`` (default): back-propagation through time (BPTT),
  the exact gradient of the unrolled network;
* ``dict(mode='sltt')``: spatial learning through time (SLTT; Meng et al.,
  2023): each neuron's potential enters the next step detached, so every
  step back-propagates only along the spatial path (layer to layer) and
  the backward pass of a neuron has no recurrence. The forward pass is
  unchanged, bit for bit;
* ``dict(mode='sltt', k=K)``: SLTT-K, SLTT through K of the T steps per
  iteration, drawn anew at every training step from torch's global CPU
  generator (the one the run's seed sets and mmsnn's ``RandomStateHook``
  saves, so a resumed run draws the same steps). The other T - K steps are
  computed without a graph.

:class:`BPTTMode` is the checked setting and, during a training forward,
the steps drawn for it (:meth:`BPTTMode.drawing`). It imports nothing of
the model: neurons, layers and detectors read it.
"""
from contextlib import contextmanager
from typing import Iterator, NamedTuple, Optional, Tuple, Union

import torch

from ...utils.input_error import ConfigValueError

#: The training modes: back-propagation through time, or spatial learning
#: through time.
BPTT_MODES = ('full', 'sltt')


class StepDraw(NamedTuple):
    """The time steps that back-propagate in one training forward.

    Attributes:
        steps (tuple[int]): Sorted step indices, K of them.
        time_steps (int): T.
        batch_size (int): B, the images of the batch: a layer's input is
            time-folded when it has ``T * B`` rows.
    """
    steps: Tuple[int, ...]
    time_steps: int
    batch_size: int


class BPTTMode:
    """The training mode of a spiking model (see the module's docstring).

    Args:
        mode (str): ``'full'`` or ``'sltt'``. Defaults to ``'full'``.
        k (int, optional): With ``'sltt'``, back-propagate through K of the
            T steps per iteration; None for all of them. Defaults to None.
        owner (str): How to name the setting in errors. Defaults to
            ``'model.bptt'``.
    """

    def __init__(self,
                 mode: str = 'full',
                 k: Optional[int] = None,
                 owner: str = 'model.bptt') -> None:
        if mode not in BPTT_MODES:
            raise ConfigValueError(
                f'{owner}.mode must be one of {BPTT_MODES} (back-propagation '
                f'through time, or spatial learning through time), got '
                f'{mode!r}')
        if k is not None:
            if mode != 'sltt':
                raise ConfigValueError(
                    f"{owner}.k={k!r} selects steps of SLTT: it needs "
                    f"mode='sltt', got mode={mode!r}")
            if isinstance(k, bool) or not isinstance(k, int) or k < 1:
                raise ConfigValueError(
                    f'{owner}.k must be a positive integer (the time steps '
                    f'that back-propagate per iteration, 1..T) or None, got '
                    f'{k!r}')
        self.mode, self.k, self.owner = mode, k, owner
        self._draw: Optional[StepDraw] = None

    @classmethod
    def from_config(cls,
                    cfg: Union[None, dict, 'BPTTMode'],
                    time_steps: Optional[int] = None,
                    owner: str = 'model.bptt') -> 'BPTTMode':
        """A checked mode from a config (``dict(mode=..., k=...)``, None for
        the default, or a mode itself).

        Args:
            cfg (dict | BPTTMode | None): The setting.
            time_steps (int, optional): T, to check ``k <= T``.
            owner (str): How to name the setting in errors.

        Raises:
            ConfigValueError: For a non-dict, unknown keys, an unknown mode
                or a ``k`` outside ``1..T``.
        """
        if isinstance(cfg, BPTTMode):
            mode = cfg
        else:
            if cfg is None:
                cfg = {}
            if not isinstance(cfg, dict):
                raise ConfigValueError(
                    f"{owner} must be a dict such as dict(mode='sltt', k=2), "
                    f'got {cfg!r}')
            unknown = sorted(set(cfg) - {'mode', 'k'})
            if unknown:
                raise ConfigValueError(
                    f'{owner}: unknown key(s) {unknown}; expected mode '
                    f"('full' or 'sltt') and k (None or 1..T)")
            mode = cls(cfg.get('mode', 'full'), cfg.get('k'), owner)
        if time_steps is not None:
            mode.check_time_steps(time_steps)
        return mode

    def check_time_steps(self, time_steps: int) -> None:
        """Raise unless ``k`` (if any) is at most ``time_steps``."""
        if self.k is not None and self.k > time_steps:
            raise ConfigValueError(
                f'{self.owner}.k must be in 1..T=1..{time_steps} (the time '
                f'steps that back-propagate per iteration), got {self.k}')

    @property
    def sltt(self) -> bool:
        """Whether the potential enters each step detached."""
        return self.mode == 'sltt'

    def to_dict(self) -> dict:
        """The config that makes this mode."""
        return dict(mode=self.mode, k=self.k)

    def __repr__(self) -> str:
        return f'BPTTMode(mode={self.mode!r}, k={self.k!r})'

    # -- the steps of one training forward ------------------------------
    @contextmanager
    def drawing(self, time_steps: int,
                batch_size: int) -> Iterator[Optional[StepDraw]]:
        """Within the block, the K steps drawn for this forward select what
        back-propagates (see :meth:`grad_steps`).

        Draws only with ``k < T`` and autograd recording: one
        ``torch.randperm(T)`` from the global CPU generator. Otherwise every
        step back-propagates and no random number is used.

        Args:
            time_steps (int): T of the model now.
            batch_size (int): B, the images of the batch.

        Yields:
            StepDraw | None: The draw, or None for all steps.
        """
        self.check_time_steps(time_steps)
        draw = None
        if self.k is not None and self.k < time_steps \
                and torch.is_grad_enabled():
            steps = torch.randperm(time_steps)[:self.k].sort().values
            draw = StepDraw(tuple(steps.tolist()), time_steps, batch_size)
        self._draw = draw
        try:
            yield draw
        finally:
            self._draw = None

    def grad_steps(self, rows: int) -> Optional[StepDraw]:
        """The draw that applies to a time-folded input of ``rows`` rows,
        or None (every step back-propagates).

        None outside :meth:`drawing`, without autograd recording, or when
        ``rows`` is not ``T * B`` (a layer that sees each image once, e.g.
        the encoding convolution before the input is repeated over T).
        """
        draw = self._draw
        if draw is None or not torch.is_grad_enabled() or \
                rows != draw.time_steps * draw.batch_size:
            return None
        return draw


def _step_index(draw: StepDraw, device: torch.device) -> torch.Tensor:
    return torch.tensor(draw.steps, dtype=torch.long, device=device)


def select_steps(x_seq: torch.Tensor, draw: StepDraw) -> torch.Tensor:
    """The drawn steps of a sequence: ``[T, ...] -> [K, ...]`` (a copy)."""
    return x_seq.index_select(0, _step_index(draw, x_seq.device))


def scatter_steps(x_sel: torch.Tensor, draw: StepDraw) -> torch.Tensor:
    """The inverse of :func:`select_steps` for gradients:
    ``[K, ...] -> [T, ...]``, zeros at the steps not drawn."""
    out = x_sel.new_zeros((draw.time_steps, *x_sel.shape[1:]))
    return out.index_copy_(0, _step_index(draw, x_sel.device), x_sel)
