"""What makes any mmdet detector spiking: it owns T and the neurons' state."""
import contextlib
from functools import partial
from typing import Any, Iterator, List, Optional, Union

import torch
from mmdet.structures import SampleList
from mmdet.utils import OptConfigType
from mmengine.logging import print_log
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..dense_heads.cmd_head_mixin import CMDHeadMixin
from ..layers.step_selection import apply_bptt_mode
from ..neurons.bptt_mode import BPTTMode
from ..neurons.neuron_utils import (membrane_modules, reset_neurons,
                                    set_step_mode)
from ..time.owner import TimeStepsMixin, owner_builds_parts


def reduce_steps(steps: List[Any], decode_mode: str) -> Any:
    """Reduce T per-step outputs of the same nested structure (tuples and
    lists of tensors) to one, tensor by tensor: the sum for ``'sum'``,
    else the mean."""
    first = steps[0]
    if isinstance(first, Tensor):
        stacked = torch.stack(steps)
        return stacked.sum(0) if decode_mode == 'sum' else stacked.mean(0)
    if isinstance(first, (tuple, list)):
        return type(first)(
            reduce_steps(list(parts), decode_mode) for parts in zip(*steps))
    return first


class SpikingDetectorMixin(TimeStepsMixin):
    """Turns an mmdet detector class into a spiking one.

    Put it first among the bases, ``class SpikingX(SpikingDetectorMixin,
    X)``, for any single-stage or two-stage detector ``X``. It adds:

    * **the owner of T**: the ``time_steps`` argument. The detector builds
      its parts without letting them set T, then sets it once on every
      time-aware module (neurons, adapters, spiking backbone / neck / head,
      ``Spikify``'d and ``TimeSequential`` parts), so parts need no
      ``time_steps`` in their configs and ``--cfg-options
      model.time_steps=4`` tests a T=6 model at T=4;
    * **neuron reset on every forward path**: ``loss``, ``predict`` and
      ``_forward`` first return every neuron to rest, so single-step state
      never leaks between batches, into inference, TTA or FLOP counting;
    * **the training mode** ``bptt`` (:mod:`mmsnn.models.neurons.bptt_mode`):
      back-propagation through time (default), SLTT, or SLTT through K
      drawn steps per training step; given once to every neuron and, for
      SLTT-K, to the convolutions and BatchNorms of the spiking parts
      (:func:`~mmsnn.models.layers.step_selection.apply_bptt_mode`).
      ``loss`` draws the steps;
    * **batches with nothing in them** (:meth:`loss` on an input that is
      zero everywhere: event windows without events, blank images under
      a zero-mean normalisation) train the head only: the features are
      extracted without gradient, and the step is logged with the
      samples' ids. Every normalisation layer of the backbone and neck
      sees zero variance in such a batch, where BatchNorm's backward
      multiplies the gradient by ``weight / sqrt(eps)`` (about 316) at
      each layer, so the exact gradient of the feature extractor grows
      past float32's range (about 1e61 for the mini-VOC SNN-YOLOv3) and
      becomes NaN while the loss stays finite. Batches with anything in
      them run exactly as before;
    * **the per-step reference path** :meth:`forward_per_step`.

    Args:
        *args, **kwargs: The detector's own arguments.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        bptt (dict, optional): The training mode: ``dict(mode='full')``
            (back-propagation through time), ``dict(mode='sltt')`` (the
            potential detached between steps) or ``dict(mode='sltt',
            k=K)`` (SLTT through K of the T steps, 1 <= K <= T, drawn at
            every training step). None is ``dict(mode='full')``.
            ``--cfg-options model.bptt.mode=sltt model.bptt.k=2`` sets it.
    """

    #: True inside :meth:`loss` of a batch with nothing in it.
    _features_without_grad = False

    def __init__(self,
                 *args,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 bptt: OptConfigType = None,
                 **kwargs) -> None:
        with owner_builds_parts():
            super().__init__(*args, **kwargs)
        self.time_steps = time_steps
        self.bptt = bptt

    @property
    def bptt(self) -> BPTTMode:
        """The training mode (see the class's ``bptt`` argument)."""
        return self._bptt

    @bptt.setter
    def bptt(self, cfg: Union[None, dict, BPTTMode]) -> None:
        mode = BPTTMode.from_config(cfg, self.time_steps)
        apply_bptt_mode(self, mode)
        self._bptt = mode

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Union[dict, list]:
        reset_neurons(self)
        # SLTT-K: the steps of this training step, from the global CPU
        # generator (the run's seed; saved in checkpoints for resume)
        draw = contextlib.nullcontext() if self._bptt.k is None else \
            self._bptt.drawing(self.time_steps, len(batch_data_samples))
        with draw, self._empty_batch_guard(batch_inputs, batch_data_samples):
            return super().loss(batch_inputs, batch_data_samples)

    @contextlib.contextmanager
    def _empty_batch_guard(self, batch_inputs: Tensor,
                           batch_data_samples: SampleList) -> Iterator[None]:
        """Within it, a batch with nothing in it (see the class docstring)
        extracts its features without gradient, and says so."""
        if not torch.is_grad_enabled() or batch_inputs.any():
            yield
            return
        ids = [sample.metainfo.get('img_id', sample.metainfo.get('img_path'))
               for sample in batch_data_samples]
        print_log(
            f'{type(self).__name__}: the {len(ids)} samples of this batch '
            f'have nothing in them (input zero everywhere: {ids[:8]}'
            f'{" ..." if len(ids) > 8 else ""}); only the head learns from '
            'it: the gradient of the backbone and neck would overflow to '
            'NaN there (every normalisation layer sees zero variance).',
            logger='current', level=30)
        self._features_without_grad = True
        try:
            yield
        finally:
            self._features_without_grad = False

    def extract_feat(self, batch_inputs: Tensor) -> Any:
        """The detector's features; without gradient inside :meth:`loss`
        of a batch with nothing in it (see the class docstring)."""
        if self._features_without_grad:
            with torch.no_grad():
                return super().extract_feat(batch_inputs)
        return super().extract_feat(batch_inputs)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        reset_neurons(self)
        return super().predict(batch_inputs, batch_data_samples, rescale)

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: Optional[SampleList] = None) -> Any:
        reset_neurons(self)
        return super()._forward(batch_inputs, batch_data_samples)

    @property
    def output_decode_mode(self) -> str:
        """How the outputs reduce T: the ``decode_mode`` of the model's CMD
        head, ``'mean'`` where it has none."""
        for module in self.modules():
            if isinstance(module, CMDHeadMixin):
                return module.decode_mode
        return 'mean'

    def forward_per_step(
            self,
            batch_inputs: Tensor,
            batch_data_samples: Optional[SampleList] = None) -> Any:
        """Reference path: T sequential single-step passes, stateful neurons.

        Runs the whole network once per time step (T=1, every neuron in
        single-step mode, its potential kept from step to step), then
        reduces the T raw outputs of ``_forward`` by
        :attr:`output_decode_mode`. Where the decoding is the network's
        last operation (a CMD head), this computes what :meth:`_forward`
        computes on time folded into the batch; it exists to check the
        folded path against and to measure its speed-up, and is slower.
        (With ANN parts after a decode, it is the mean of their per-step
        outputs instead of their output on the mean.)

        Single-step state is only meaningful for a module with a membrane
        (a neuron, a ``MembraneSiLU``) called once a step: a model whose
        neurons serve several places (a ResNet block's one ``relu``, a
        RetinaNet / FCOS head shared over FPN levels) is refused with an
        error naming the neuron.

        Args:
            batch_inputs (Tensor): Images, ``[B, 3, H, W]``.
            batch_data_samples (list[DetDataSample], optional): As for
                ``_forward``.

        Returns:
            What ``_forward`` returns (e.g. a head's tuple of per-level
            maps, each ``[B, ...]``).
        """
        time_steps, decode_mode = self.time_steps, self.output_decode_mode
        forward = super()._forward  # without the reset: state carries over
        reset_neurons(self)
        set_step_mode(self, 's')
        self.time_steps = 1  # each pass is one step: no repeat, no fold
        called = set()

        def once(neuron, args, name):
            if name in called:
                raise RuntimeError(
                    f'{type(self).__name__}.forward_per_step: neuron {name} '
                    'is called more than once a step, which would mix the '
                    'states of the places it serves; the per-step path '
                    'needs one neuron per place')
            called.add(name)

        handles = [
            neuron.register_forward_pre_hook(partial(once, name=name))
            for name, neuron in membrane_modules(self)
        ]
        try:
            steps = [forward(batch_inputs, batch_data_samples)]
            for handle in handles:  # the first step showed each place
                handle.remove()
            steps += [
                forward(batch_inputs, batch_data_samples)
                for _ in range(time_steps - 1)
            ]
        finally:
            for handle in handles:
                handle.remove()
            self.time_steps = time_steps
            set_step_mode(self, 'm')
            reset_neurons(self)
        return reduce_steps(steps, decode_mode)
