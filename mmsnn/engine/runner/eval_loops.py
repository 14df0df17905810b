"""mmengine's validation and test loops, stopping on Ctrl-C and SIGTERM."""
from mmengine.runner import TestLoop, ValLoop

from mmdet.registry import LOOPS
from ..stop_signals import (EvaluationInterrupted, StopSignals, agreed_signal,
                            shield_loader_workers)


class StopBetweenBatchesMixin:
    """What mmsnn's evaluation loops add to mmengine's: a stop signal
    (SIGINT, SIGTERM) ends the loop after the batch in progress with
    :class:`~mmsnn.engine.stop_signals.EvaluationInterrupted`.

    Inside training, the training loop's
    :class:`~mmsnn.engine.StopSignals` is read (the training loop then
    saves a checkpoint from which ``--resume`` runs this validation again);
    on its own (``runner.val()``, ``runner.test()``) the loop installs one
    while it runs, makes its loader's worker processes ignore the signals
    (:func:`~mmsnn.engine.stop_signals.shield_loader_workers`) and, for a
    signal that came after the last batch, still raises at the end, once
    the metrics are written. In distributed runs the flag is all-reduced
    after each batch, so that every rank stops after the same one.
    """

    #: How messages call the loop's work.
    stage = 'evaluation'

    def run(self) -> dict:
        self._stop = StopSignals.active()
        own = self._stop is None
        if own:
            self._stop = StopSignals()
            if self._stop.install():
                shield_loader_workers(self.dataloader)
        try:
            metrics = super().run()
        finally:
            if own:
                self._stop.restore()
        if own and self._stop.received:
            total = len(self.dataloader)
            raise EvaluationInterrupted(self._stop.received, self.stage,
                                        total, total, finished=True)
        return metrics

    def run_iter(self, idx, data_batch) -> None:
        super().run_iter(idx, data_batch)
        signum = agreed_signal(self._stop)
        if signum:
            raise EvaluationInterrupted(signum, self.stage, idx + 1,
                                        len(self.dataloader))


@LOOPS.register_module()
class SafeValLoop(StopBetweenBatchesMixin, ValLoop):
    """``ValLoop`` (same arguments) with :class:`StopBetweenBatchesMixin`;
    tools/train.py puts it in place of a config's ``ValLoop``
    (:func:`mmsnn.engine.use_safe_eval_loops`)."""

    stage = 'validation'


@LOOPS.register_module()
class SafeTestLoop(StopBetweenBatchesMixin, TestLoop):
    """The same for ``TestLoop`` (tools/test.py)."""

    stage = 'testing'
