"""Log the firing rates of a spiking model during validation and testing."""
from typing import Dict, Optional, Sequence

from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmsnn.analysis.activity import ActivityRecorder
from mmsnn.models.neurons import spiking_modules


@HOOKS.register_module()
class FiringRateHook(Hook):
    """Record every spiking layer's mean firing rate during val / test.

    Before each validation or test run it puts forward hooks on every neuron
    (:func:`~mmsnn.models.layers.spiking_modules`), one record per module (a
    neuron module that serves several layers accumulates all its calls);
    after the run it logs the firing rate of each stage (backbone stages,
    neck, head) and of the whole network, and removes its hooks. Records
    start from zero at every run.

    The rates go to the message hub as ``{val,test}/<prefix>/<stage>`` and
    ``.../mean``, so ``LoggerHook`` prints them with the metrics, writes them
    to the JSON log and, after validation, to every visualizer backend
    (TensorBoard's scalars when ``TensorboardVisBackend`` is configured).
    After testing, when ``LoggerHook`` only writes JSON, this hook calls
    ``runner.visualizer.add_scalars`` itself.

    A rate is spikes / (neurons x time steps); a stage's (and the network's)
    rate pools all its neurons, so large layers weigh more.

    Args:
        split_stages (Sequence[str]): Top-level modules reported per child
            (``backbone.conv1`` is the encoding layer, ``backbone.
            conv_res_block{1..5}`` the stages). Defaults to ``('backbone',)``.
        log_layers (bool): Also log a per-layer table. Defaults to False.
        prefix (str): Scalar name prefix. Defaults to ``'firing_rate'``.

    Example:
        >>> custom_hooks = [dict(type='FiringRateHook')]
    """

    # Before LoggerHook (BELOW_NORMAL) so the rates join its epoch log.
    priority = 'NORMAL'

    def __init__(self,
                 split_stages: Sequence[str] = ('backbone', ),
                 log_layers: bool = False,
                 prefix: str = 'firing_rate') -> None:
        self.split_stages = tuple(split_stages)
        self.log_layers = log_layers
        self.prefix = prefix
        self.recorder: Optional[ActivityRecorder] = None

    def _start(self, runner) -> None:
        self._stop()
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self.recorder = ActivityRecorder(spiking_modules(model)).attach()
        if not self.recorder.modules:
            runner.logger.warning(
                f'FiringRateHook: {type(model).__name__} has no spiking '
                'neurons (BaseSpikingNeuron); nothing to record.')

    def _stop(self) -> None:
        if self.recorder is not None:
            self.recorder.remove()

    def scalars(self) -> Dict[str, float]:
        """``{'<prefix>/<stage>': rate, ..., '<prefix>/mean': rate}`` of the
        current run; empty when nothing spiked through a hooked neuron."""
        if self.recorder is None:
            return {}
        mean = self.recorder.mean_rate()
        if mean is None:
            return {}
        rates = {
            f'{self.prefix}/{stage}': rate
            for stage, rate in self.recorder.stage_rates(
                self.split_stages).items()
        }
        rates[f'{self.prefix}/mean'] = mean
        return rates

    def _report(self, runner, mode: str) -> None:
        scalars = self.scalars()
        if not scalars:
            return
        for key, value in scalars.items():
            runner.message_hub.update_scalar(f'{mode}/{key}', value)
        if self.log_layers:
            rows = '\n'.join(
                f'{name:<60s} {rate:.4f}'
                for name, rate in self.recorder.rates().items())
            runner.logger.info(f'Firing rate per spiking layer ({mode}):\n'
                               f'{rows}')
        if mode == 'test':
            runner.visualizer.add_scalars(scalars, step=self._step(runner))

    @staticmethod
    def _step(runner) -> int:
        # Reading runner.iter would build a train loop a test run lacks.
        loop = runner._train_loop
        return 0 if loop is None or isinstance(loop, dict) else runner.iter

    def before_val(self, runner) -> None:
        self._start(runner)

    def before_test(self, runner) -> None:
        self._start(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._report(runner, 'val')

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._report(runner, 'test')

    def after_val(self, runner) -> None:
        self._stop()

    def after_test(self, runner) -> None:
        self._stop()
