"""Ctrl-C and SIGTERM as a request to stop training at a safe point.

A preempted cluster job (SLURM, Kubernetes) gets SIGTERM, a user at the
terminal sends SIGINT; by default either kills training wherever it is, and
everything since the last checkpoint is lost. :class:`StopSignals` turns the
first of them into a flag that the training loop reads after an iteration
(:class:`~mmsnn.engine.SafeEpochBasedTrainLoop` then saves and raises
:class:`TrainingInterrupted`); a second signal acts as it would have without
it (Ctrl-C twice still stops at once).
"""
import contextlib
import signal
import sys
import threading
from typing import Dict, Optional

#: The signals that ask training to stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on a signal, after saving a checkpoint.

    A ``KeyboardInterrupt``, so that code catching ``Exception`` lets it
    through, as it would Ctrl-C.

    Args:
        signum (int): The signal that asked to stop.
        checkpoint (str): The checkpoint written before stopping.
        epoch (int): Epochs completed.
        iteration (int): Iterations completed.
    """

    def __init__(self, signum: int, checkpoint: str, epoch: int,
                 iteration: int) -> None:
        self.signum = signum
        self.checkpoint = checkpoint
        self.epoch = epoch
        self.iteration = iteration
        super().__init__(
            f'training stopped by {signal.Signals(signum).name} after '
            f'iteration {iteration} (epoch {epoch + 1} in progress); '
            f'checkpoint {checkpoint} written')


class StopSignals:
    """Catch :data:`STOP_SIGNALS` while installed and remember the first.

    Handlers can only be set from the main thread: elsewhere, and for a
    signal that is ignored (``SIG_IGN``), nothing is installed and the
    signal keeps its disposition.
    """

    def __init__(self) -> None:
        self.received: Optional[int] = None
        self._previous: Dict[int, object] = {}

    def install(self) -> bool:
        """Install the handlers; return whether any was installed."""
        if threading.current_thread() is not threading.main_thread():
            return False
        self.received = None
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue
            self._previous[signum] = signal.signal(signum, self._handle)
        return bool(self._previous)

    def restore(self) -> None:
        """Put the handlers back that were there before :meth:`install`."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame) -> None:
        if self.received is None:
            self.received = signum
            return
        # A second signal: do what would have happened without us.
        previous = self._previous.get(signum, signal.SIG_DFL)
        self.restore()
        if callable(previous):
            previous(signum, frame)  # SIGINT: raises KeyboardInterrupt
        elif previous is not signal.SIG_IGN:
            signal.raise_signal(signum)  # the default action: terminate


@contextlib.contextmanager
def report_training_interrupted():
    """Turn :class:`TrainingInterrupted` into one paragraph on stderr and
    the exit status a shell gives a process killed by that signal (128 +
    signal number: 130 for SIGINT, 143 for SIGTERM), so that job scripts
    can tell a stop from a failure and requeue with ``--resume``."""
    try:
        yield
    except TrainingInterrupted as e:
        print(f'\nmmsnn: {e}. Continue with the same command and --resume '
              '(it reads last_checkpoint in the work dir, which points to '
              'that file).\n', file=sys.stderr, flush=True)
        sys.exit(128 + e.signum)
