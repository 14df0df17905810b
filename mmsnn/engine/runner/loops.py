"""mmengine's training loops, made to survive Ctrl-C and SIGTERM."""
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import barrier, is_main_process
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from mmdet.registry import LOOPS
from ...utils.input_error import InputError
from ..atomic_local_backend import ATOMIC_BACKEND, AtomicLocalBackend
from ..disk_space import disk_full_error, is_no_space
from ..last_checkpoint import last_good_checkpoint
from ..random_state import (get_random_state, kept_random_state,
                            set_random_state)
from ..stop_signals import (EvaluationInterrupted, StopSignals,
                            TrainingInterrupted, agreed_signal,
                            shield_loader_workers)

#: Where the runner's message hub keeps, for the checkpoint written on a stop
#: signal, ``dict(path=..., batches_per_epoch=..., validate=...)``
#: (``validate``: the stop came during the validation after that
#: checkpoint's iteration, which a resumed run runs first; SafeCheckpointHook
#: removes the file once a later checkpoint is saved).
INTERRUPTED_CKPT_KEY = 'interrupted_ckpt'


class StopOnSignalMixin:
    """What mmsnn's safe training loops add to mmengine's: while the loop
    runs, the first SIGINT or SIGTERM only asks to stop
    (:class:`~mmsnn.engine.StopSignals`); :meth:`_raise_if_stopped`, called
    by the loop after an iteration and after a validation, then writes
    ``<work_dir>/interrupted_iter_<N>.pth``, points ``last_checkpoint`` to it
    and raises :class:`~mmsnn.engine.TrainingInterrupted`. A
    :class:`~mmsnn.engine.SafeValLoop` stops after its batch in progress;
    the checkpoint then records that validation as still to run, and the
    resumed run runs it first. A signal that comes once the run has
    finished is still reported (``stage='finished'``; nothing is saved).
    The loaders' worker processes ignore both signals
    (:func:`~mmsnn.engine.stop_signals.shield_loader_workers`)."""

    def run(self) -> torch.nn.Module:
        self.stop_signals = StopSignals()
        if self.stop_signals.install():
            shield_loader_workers(self.dataloader)
            shield_loader_workers(
                getattr(self.runner.val_loop, 'dataloader', None))
        try:
            model = self._run_loop()
        finally:
            self.stop_signals.restore()
        signum = agreed_signal(self.stop_signals)
        if signum:
            raise TrainingInterrupted(
                signum, last_good_checkpoint(self.runner.work_dir),
                self._epoch, self._iter, 'finished')
        return model

    def _run_loop(self) -> torch.nn.Module:
        """The training itself."""
        raise NotImplementedError

    def _finished(self) -> bool:
        """Whether the schedule is done (nothing left to save on a stop)."""
        return self.stop_training or self._iter >= self._max_iters

    def _raise_if_stopped(self) -> None:
        """After an iteration or a validation: save and raise if a stop
        signal came (once the run has finished, :meth:`run` reports it)."""
        if self._finished():
            return
        signum = agreed_signal(self.stop_signals)
        if signum:
            raise TrainingInterrupted(signum, self._save_interrupted(),
                                      self._epoch, self._iter)

    def _validation_due(self, done: int, total: int) -> bool:
        """Whether a validation follows ``done`` of ``total`` epochs (or
        iterations), as mmengine's loops decide."""
        return (self.runner.val_loop is not None and done >= self.val_begin
                and (done % self.val_interval == 0 or done == total))

    def _validate(self) -> None:
        """Run the validation loop; a stop before or during it saves the
        state with that validation still to run."""
        signum = agreed_signal(self.stop_signals)
        if signum:  # came during the iteration: no batch of it to waste
            raise TrainingInterrupted(
                signum, self._save_interrupted(validate=True), self._epoch,
                self._iter, 'val')
        state = get_random_state()
        try:
            self.runner.val_loop.run()
        except EvaluationInterrupted as e:
            # Saved with the random state the validation started from (its
            # loader draws a seed), as the resumed run will start it.
            set_random_state(state)
            raise TrainingInterrupted(
                e.signum, self._save_interrupted(validate=True), self._epoch,
                self._iter, 'val') from None

    def _run_pending_validation(self) -> None:
        """Run the validation a stop signal cut short, resumed from its
        checkpoint; where training has finished, save that checkpoint again
        without the record, so that ``--resume`` no longer finds work."""
        hub = self.runner.message_hub
        record = hub.get_info(INTERRUPTED_CKPT_KEY) or {}
        if not record.get('validate'):
            return
        hub.update_info(INTERRUPTED_CKPT_KEY, dict(record, validate=False))
        if self.runner.val_loop is None:
            return
        self.runner.logger.warning(
            f'Running the validation after iteration {self._iter} that a '
            f'stop signal cut short (resumed from {record["path"]})')
        self._validate()
        self._raise_if_stopped()
        if self._finished() and osp.isfile(record['path']):
            self._save(record['path'])

    def _save(self, path: str) -> None:
        """Save the state of the run, atomically, to ``path`` in the work
        dir (a full disk: :class:`~mmsnn.engine.disk_space.DiskFullError`).
        """
        try:
            self.runner.save_checkpoint(
                self.runner.work_dir,
                osp.basename(path),
                meta=dict(epoch=self._epoch, iter=self._iter),
                by_epoch=False,
                backend_args=dict(backend=ATOMIC_BACKEND))
        except OSError as e:
            if is_no_space(e):
                raise disk_full_error(
                    e, last_good_checkpoint(self.runner.work_dir)) from e
            raise

    def _save_interrupted(self, validate: bool = False) -> str:
        """Save the state after the current iteration; return the path."""
        runner = self.runner
        path = osp.join(runner.work_dir, f'interrupted_iter_{self._iter}.pth')
        previous = (runner.message_hub.get_info(INTERRUPTED_CKPT_KEY)
                    or {}).get('path')
        # Recorded first, so that the checkpoint carries it: the resumed run
        # checks the epoch length, runs a validation cut short and removes
        # the file once a later checkpoint is written.
        runner.message_hub.update_info(
            INTERRUPTED_CKPT_KEY,
            dict(path=path, batches_per_epoch=len(self.dataloader),
                 validate=validate))
        self._save(path)
        if is_main_process():
            AtomicLocalBackend().put_text(
                path, osp.join(runner.work_dir, 'last_checkpoint'))
            remove_interrupted_checkpoint(runner, previous, kept=path)
        # No rank exits before rank 0 has written: torchrun stops the other
        # ranks as soon as one has ended.
        barrier()
        runner.logger.warning(f'Stop signal: saved {path}')
        return path


@LOOPS.register_module()
class SafeEpochBasedTrainLoop(StopOnSignalMixin, EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that stops on a signal with a checkpoint and
    resumes from the middle of an epoch.

    Same arguments as mmengine's loop. The differences:

    - While it runs, the first SIGINT (Ctrl-C) or SIGTERM (a preempted
      cluster job) only asks to stop (:class:`~mmsnn.engine.StopSignals`):
      the current iteration ends, ``<work_dir>/interrupted_iter_<N>.pth``
      is written (model, optimizer, schedulers, random states, the message
      hub) and pointed to by ``last_checkpoint``, and
      :class:`~mmsnn.engine.TrainingInterrupted` is raised. In distributed
      training every rank stops after the same iteration (the flag is
      all-reduced each iteration). A second Ctrl-C acts at once (a
      repeated SIGTERM is the same stop again). The
      training and validation loaders' worker processes ignore both
      signals (:func:`~mmsnn.engine.stop_signals.shield_loader_workers`),
      so that a signal sent to the whole process group or job does not
      kill them under the training process.
    - Resumed from such a checkpoint, or any other saved inside an epoch
      (``CheckpointHook(by_epoch=False, interval=N)``), the first epoch
      goes on from the batch after the last one trained: the epoch's
      batches before it are drawn again and dropped (the sampler and the
      workers' augmentation draws are the same as before, as in mmengine's
      iteration-based resume), with the main process's random state put
      back afterwards, so that the run continues as if it had not stopped.
      mmengine's own loop would train that whole epoch again. A run whose
      epochs have another number of batches (batch size, data, processes)
      is refused.

    - A stop during validation (with :class:`~mmsnn.engine.SafeValLoop`)
      ends it after the batch in progress and saves the same checkpoint,
      recording that validation as still to run: the resumed run runs it
      first, also after the last epoch (a finished run's last validation,
      its metrics and best checkpoint, are not lost).

    ``tools/train.py`` puts it in place of a config's ``EpochBasedTrainLoop``
    (see :func:`mmsnn.engine.add_reliability_hooks`).
    """

    def _run_loop(self) -> torch.nn.Module:
        # mmengine's EpochBasedTrainLoop.run, with a validation cut short
        # run first and a stop check after each validation.
        runner = self.runner
        runner.call_hook('before_train')
        self._run_pending_validation()
        while self._epoch < self._max_epochs and not self.stop_training:
            self.run_epoch()
            self._decide_current_val_interval()
            if self._validation_due(self._epoch, self._max_epochs):
                self._validate()
                self._raise_if_stopped()
        runner.call_hook('after_train')
        return runner.model

    def _finished(self) -> bool:
        return self.stop_training or self._epoch >= self._max_epochs

    def run_epoch(self) -> None:
        """One epoch, or its remainder after a mid-epoch checkpoint."""
        done = self._iter - self._epoch * len(self.dataloader)
        if done <= 0:
            return super().run_epoch()
        self._check_epoch_length(done)
        self.runner.logger.warning(
            f'Resuming in epoch {self._epoch + 1} after {done} of its '
            f'{len(self.dataloader)} batches: drawing those again without '
            'training on them')
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        batches = enumerate(self.dataloader)
        with kept_random_state():
            for _ in range(done):
                next(batches)
        for idx, data_batch in batches:
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _check_epoch_length(self, done: int) -> None:
        """Raise if the cut epoch had another number of batches than this
        run's (``done`` would then point elsewhere): as a stop-signal
        checkpoint records it, or as ``done`` shows."""
        stopped = self.runner.message_hub.get_info(INTERRUPTED_CKPT_KEY) or {}
        saved, length = stopped.get('batches_per_epoch'), len(self.dataloader)
        if (saved is None or saved == length) and done <= length:
            return
        where = (f'{stopped["path"]} was written {self._iter} iterations '
                 f'into training, in an epoch of {saved} batches'
                 if saved is not None else
                 f'the checkpoint is {self._iter} iterations into training, '
                 f'{done} batches into epoch {self._epoch + 1}')
        raise InputError(
            f"--resume: {where}, but this run's train_dataloader gives "
            f'{length} batches an epoch (another batch size, data set or '
            'number of processes), so the batches already trained cannot '
            'be told apart. Resume with the settings of the stopped run, or '
            'start a new schedule from its weights with load_from.')

    def run_iter(self, idx, data_batch) -> None:
        super().run_iter(idx, data_batch)
        self._raise_if_stopped()


@LOOPS.register_module()
class SafeIterBasedTrainLoop(StopOnSignalMixin, IterBasedTrainLoop):
    """``IterBasedTrainLoop`` that stops on a signal with a checkpoint and
    resumes exactly.

    Same arguments as mmengine's loop. The differences:

    - The first SIGINT or SIGTERM stops training with
      ``interrupted_iter_<N>.pth`` as :class:`SafeEpochBasedTrainLoop`
      does, after the current iteration, or during the validation that
      follows it (then the resumed run runs that validation first).
    - On resume, mmengine draws the batches already trained again and drops
      them; here the main process's random state is put back afterwards, so
      that augmentations drawn in the main process (``num_workers=0``)
      continue as in an uninterrupted run.

    ``tools/train.py`` puts it in place of a config's ``IterBasedTrainLoop``
    (see :func:`mmsnn.engine.add_reliability_hooks`).
    """

    def _run_loop(self) -> torch.nn.Module:
        # mmengine's IterBasedTrainLoop.run, but for the kept random state,
        # a validation cut short run first and the stop check after
        # validation.
        runner = self.runner
        runner.call_hook('before_train')
        runner.call_hook('before_train_epoch')
        if self._iter > 0:
            runner.logger.warning(
                f'Resuming after {self._iter} iterations: drawing their '
                'batches again without training on them')
            with kept_random_state():
                for _ in range(self._iter):
                    next(self.dataloader_iterator)
        self._run_pending_validation()
        while self._iter < self._max_iters and not self.stop_training:
            runner.model.train()
            self.run_iter(next(self.dataloader_iterator))
            self._decide_current_val_interval()
            if self._validation_due(self._iter, self._max_iters):
                self._validate()
            self._raise_if_stopped()
        runner.call_hook('after_train_epoch')
        runner.call_hook('after_train')
        return runner.model


def remove_interrupted_checkpoint(runner, path: Optional[str],
                                  kept: str) -> None:
    """Delete the stop-signal checkpoint ``path`` (if any, and still there)
    now that ``kept``, a later checkpoint, is written."""
    if not path or path == kept or not osp.isfile(path):
        return
    AtomicLocalBackend().remove(path)
    runner.logger.info(f'Removed {path}, the checkpoint of a stop signal, '
                       'now that a later checkpoint is written')
