"""Train the first epochs of a spiking model at fewer time steps."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdet.registry import HOOKS
from mmsnn.models.time.folding import check_time_steps
from mmsnn.models.time.owner import set_time_steps, time_steps_of
from mmsnn.utils.input_error import ConfigValueError


@HOOKS.register_module()
class TimeStepsWarmupHook(Hook):
    """Run the first ``end`` epochs (or iterations) of training at
    ``time_steps`` steps instead of the model's T, then the model's T.

    A step's cost grows with T (every layer after the encoder runs on
    ``T*B`` images), so fine-tuning first at a small T and then at the
    model's T costs less than fine-tuning at the model's T throughout. The
    weights do not depend on T; only the neurons' dynamics do: an IF neuron
    run for T steps passes its input current on as a spike count in
    ``0..T``, so a model trained at a smaller T has learnt a coarser
    quantisation of the same currents, which the later epochs at the
    model's T refine. Whether that pays is the schedule's question: on
    mini-VOC it did not (docs/mixing.md: 4 of 7 epochs at T=2 saved about
    12% of the SNN's training and lost 0.12 mAP).

    The model's T (its config's ``time_steps``) stays the one the model is
    built, validated, tested and deployed with: this hook only lowers it
    for the training iterations before ``end``, and puts it back before
    every validation and test and when training ends. T is set by
    :func:`~mmsnn.models.time.owner.set_time_steps`, the one walk
    that sets T everywhere, whether the detector owns T or only its parts
    do. ``--resume`` needs nothing: the hook looks at the loop's epoch or
    iteration before each training iteration.

    Args:
        time_steps (int): T of the first epochs (iterations).
        end (int): The first epoch (with ``by_epoch``, counted from 0) or
            iteration at which training runs at the model's T.
        by_epoch (bool): Whether ``end`` counts epochs or iterations.
            Defaults to True.

    Example:
        >>> # 4 of 7 epochs at T=2, then the model's T=4
        >>> custom_hooks = [dict(type='TimeStepsWarmupHook', time_steps=2,
        ...                      end=4)]
    """

    # Before every hook that could run the model in an iteration.
    priority = 'VERY_HIGH'

    def __init__(self, time_steps: int, end: int,
                 by_epoch: bool = True) -> None:
        self.time_steps = check_time_steps(time_steps,
                                           'TimeStepsWarmupHook.time_steps')
        if isinstance(end, bool) or not isinstance(end, int) or end < 0:
            raise ConfigValueError(
                'TimeStepsWarmupHook.end must be a non-negative integer (the'
                f' first epoch or iteration at the model\'s T), got {end!r}')
        self.end = end
        self.by_epoch = by_epoch
        self.model_time_steps: Optional[int] = None
        self._current: Optional[int] = None

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(
            runner.model) else runner.model

    def _set(self, runner, time_steps: int) -> None:
        if time_steps != self._current:
            set_time_steps(self._model(runner), time_steps)
            self._current = time_steps

    def before_train(self, runner) -> None:
        found = time_steps_of(self._model(runner))
        if len(found) != 1:
            raise ConfigValueError(
                'TimeStepsWarmupHook needs a spiking model with one T, found '
                f'{"none" if not found else "T values " + str(found)} in '
                f'{type(self._model(runner)).__name__}')
        self.model_time_steps = found[0]
        self._current = found[0]
        if self.time_steps >= self.model_time_steps:
            raise ConfigValueError(
                f'TimeStepsWarmupHook.time_steps={self.time_steps} must be '
                f'smaller than the model\'s T={self.model_time_steps}')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        position = runner.epoch if self.by_epoch else runner.iter
        self._set(runner, self.time_steps if position < self.end else
                  self.model_time_steps)

    def _restore(self, runner) -> None:
        if self.model_time_steps is not None:
            self._set(runner, self.model_time_steps)

    def before_val(self, runner) -> None:
        self._restore(runner)

    def before_test(self, runner) -> None:
        self._restore(runner)

    def after_train(self, runner) -> None:
        self._restore(runner)
