"""Ctrl-C and SIGTERM as a request to stop training at a safe point.

A preempted cluster job (SLURM, Kubernetes) gets SIGTERM, a user at the
terminal sends SIGINT; by default either kills training wherever it is, and
everything since the last checkpoint is lost. :class:`StopSignals` turns the
first of them into a flag that the training loop reads after an iteration
(:class:`~mmsnn.engine.SafeEpochBasedTrainLoop` then saves and raises
:class:`TrainingInterrupted`); a second SIGINT acts as it would have without
it (Ctrl-C twice still stops at once). A repeated SIGTERM is the same
request again, not a second one: under SLURM a torchrun worker gets the
job's SIGTERM both from SLURM and from torchrun, which passes it on, and
torchrun sends it again to the ranks still running when one has stopped.

The signals often reach more than the training process: Ctrl-C goes to the
terminal's whole process group, torchrun passes SIGTERM on to each worker's
process group and SLURM sends it to every process of the job. A DataLoader
worker killed by it makes the training process fail at once ("DataLoader
worker exited unexpectedly", from torch's SIGCHLD handler, wherever the
step is), so :func:`shield_loader_workers` makes the workers ignore them:
they are stopped by their loader (a SIGTERM from it still acts), or exit
when the training process is gone.
"""
import contextlib
import os
import signal
import sys
import threading
import weakref
from typing import Callable, Dict, Optional

from torch.utils.data import DataLoader

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
        _restore_in_forked_children()
        _installed.add(self)
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
        _installed.discard(self)

    def _handle(self, signum: int, frame) -> None:
        if self.received is None:
            self.received = signum
        elif signum != signal.SIGTERM:
            # Ctrl-C again. A repeated SIGTERM is the same stop again (see
            # the module's docstring).
            self._act_as_before(signum, frame)

    def _act_as_before(self, signum: int, frame) -> None:
        """Do what would have happened without these handlers."""
        previous = self._previous.get(signum, signal.SIG_DFL)
        self.restore()
        if callable(previous):
            previous(signum, frame)  # SIGINT: raises KeyboardInterrupt
        elif previous is not signal.SIG_IGN:
            signal.raise_signal(signum)  # the default action: terminate


#: The installed StopSignals, whose handlers forked children drop.
_installed: 'weakref.WeakSet[StopSignals]' = weakref.WeakSet()


def _restore_in_forked_child() -> None:
    """Give a forked child the handlers it would have without us.

    A process pool forked while training (mmdet's VOC metric) ends its
    workers with SIGTERM and waits for them. With the handlers inherited,
    a worker only noted the signal, or, had it come just before a blocking
    call, never ran the handler at all: training hung. Restored at the
    fork, the child dies of it at once, as without us.
    """
    for stop in list(_installed):
        stop.restore()


#: Whether :func:`_restore_in_forked_child` is registered to run at forks.
_fork_hook_registered = False


def _restore_in_forked_children() -> None:
    """Have :func:`_restore_in_forked_child` run in every child forked
    from now on (registered once, at the first :meth:`StopSignals.install`:
    importing mmsnn registers nothing)."""
    global _fork_hook_registered
    if not _fork_hook_registered:
        os.register_at_fork(after_in_child=_restore_in_forked_child)
        _fork_hook_registered = True


class IgnoreStopSignals:
    """A DataLoader ``worker_init_fn``: the worker process ignores
    :data:`STOP_SIGNALS` except a SIGTERM from the loader's own process,
    then the loader's own ``worker_init_fn`` runs.

    torch's worker handler lets a SIGTERM from anyone but the loader's
    process kill the worker; the loader's process itself ends workers
    with SIGTERM (at shutdown, and multiprocessing at exit, which then
    waits for them), so that one still ends the worker, with status 0 as
    under torch's handler. SIGTERM is blocked and waited for in a thread,
    the only way to learn its sender. A module-level class, so that it
    pickles for the ``spawn`` start method.

    Args:
        init_fn (Callable, optional): The loader's ``worker_init_fn``
            (mmengine's seeding), called with the worker id.
    """

    def __init__(self, init_fn: Optional[Callable[[int], None]]) -> None:
        self.init_fn = init_fn

    def __call__(self, worker_id: int) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Blocked in this thread, and so in every thread started from now.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        threading.Thread(target=_exit_on_sigterm_from, args=(os.getppid(), ),
                         name='sigterm-from-loader', daemon=True).start()
        if self.init_fn is not None:
            self.init_fn(worker_id)


def _exit_on_sigterm_from(loader_pid: int) -> None:
    """Wait for SIGTERMs; exit at once on one sent by ``loader_pid``."""
    while True:
        if signal.sigwaitinfo({signal.SIGTERM}).si_pid == loader_pid:
            os._exit(0)


def shield_loader_workers(dataloader: Optional[DataLoader]) -> None:
    """Make ``dataloader``'s worker processes, started from now on, ignore
    :data:`STOP_SIGNALS` (:class:`IgnoreStopSignals`); no-op for ``None``,
    loaders without workers and loaders already shielded."""
    if (not isinstance(dataloader, DataLoader) or dataloader.num_workers == 0
            or isinstance(dataloader.worker_init_fn, IgnoreStopSignals)):
        return
    dataloader.worker_init_fn = IgnoreStopSignals(dataloader.worker_init_fn)


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
