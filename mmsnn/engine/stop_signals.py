"""Ctrl-C and SIGTERM as a request to stop training at a safe point.

A preempted cluster job (SLURM, Kubernetes) gets SIGTERM, a user at the
terminal sends SIGINT; by default either kills training wherever it is, and
everything since the last checkpoint is lost. :class:`StopSignals` turns the
first of them into a flag that mmsnn's loops read after each iteration
(:class:`~mmsnn.engine.SafeEpochBasedTrainLoop` then saves and raises
:class:`TrainingInterrupted`, also from the validation inside training;
:class:`~mmsnn.engine.SafeValLoop` and :class:`~mmsnn.engine.SafeTestLoop`
on their own raise :class:`EvaluationInterrupted`); a second SIGINT acts as
it would have without it (Ctrl-C twice still stops at once). Outside the
loops, while a tool sets up or finishes, :func:`report_stop_signals` makes
either signal stop at once, and reports every stop in one paragraph with
the exit status 128 + signal. A repeated SIGTERM is the same
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
when the training process is gone. A worker starts with both signals
blocked, so that one sent while it starts (a loader without persistent
workers starts new ones every epoch) waits until it ignores them.
"""
import contextlib
import multiprocessing.context as mp_context
import os
import signal
import sys
import threading
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.multiprocessing as mp
from mmengine.dist import all_reduce, get_world_size
from torch.utils.data import DataLoader

from ..utils.tool_command import drop_options, format_command

#: The signals that ask training to stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _name(signum: int) -> str:
    return signal.Signals(signum).name


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on a signal, after saving a checkpoint.

    A ``KeyboardInterrupt``, so that code catching ``Exception`` lets it
    through, as it would Ctrl-C.

    Args:
        signum (int): The signal that asked to stop.
        checkpoint (str): The checkpoint written before stopping (for
            ``stage='finished'``: the run's last checkpoint, if any).
        epoch (int): Epochs completed.
        iteration (int): Iterations completed.
        stage (str): Where the signal was acted on: ``'train'`` (after an
            iteration), ``'val'`` (during the validation after
            ``iteration``, which ``--resume`` runs first) or
            ``'finished'`` (after the run had finished: nothing to save).
            Defaults to ``'train'``.
    """

    def __init__(self, signum: int, checkpoint: Optional[str], epoch: int,
                 iteration: int, stage: str = 'train') -> None:
        self.signum = signum
        self.checkpoint = checkpoint
        self.epoch = epoch
        self.iteration = iteration
        self.stage = stage
        name = _name(signum)
        if stage == 'finished':
            message = (f'{name} came after training had finished (iteration '
                       f'{iteration}, epoch {epoch}): nothing was lost' +
                       (f'; the last checkpoint is {checkpoint}'
                        if checkpoint else ''))
        elif stage == 'val':
            message = (f'training stopped by {name} at the validation '
                       f'after iteration {iteration} (epoch {epoch}); '
                       f'checkpoint {checkpoint} written, with that '
                       'validation still to run')
        else:
            message = (f'training stopped by {name} after iteration '
                       f'{iteration} (epoch {epoch + 1} in progress); '
                       f'checkpoint {checkpoint} written')
        super().__init__(message)


class EvaluationInterrupted(KeyboardInterrupt):
    """A validation or test run (not inside training) stopped on a signal.

    Args:
        signum (int): The signal.
        stage (str): ``'validation'`` or ``'testing'``.
        done (int): Batches evaluated.
        total (int): Batches in all.
        finished (bool): The signal came once the results were complete.
            Defaults to False.
    """

    def __init__(self, signum: int, stage: str, done: int, total: int,
                 finished: bool = False) -> None:
        self.signum, self.stage, self.done, self.total = (signum, stage, done,
                                                          total)
        self.finished = finished
        if finished:
            message = (f'{_name(signum)} came after {stage} had finished '
                       f'all {total} batches: its results are complete')
        else:
            message = (f'{stage} stopped by {_name(signum)} after {done} of '
                       f'{total} batches; nothing of it was written (metrics '
                       'and outputs are written at the end)')
        super().__init__(message)


class StopRequested(KeyboardInterrupt):
    """A stop signal acted on at once, by :class:`StopAtOnce`: outside the
    loops that stop at a safe point (while a tool sets up or finishes), or
    a second Ctrl-C.

    Args:
        signum (int): The signal.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(
            f'stopped at once by {_name(signum)} (a second Ctrl-C, or a '
            'signal while setting up or finishing, outside the training and '
            'evaluation loops); nothing was saved at this point, what was '
            'saved before is kept')


class _SignalHandlers:
    """Handlers for :data:`STOP_SIGNALS` while installed; the ones there
    before are put back by :meth:`restore` (and in forked children).

    Handlers can only be set from the main thread: elsewhere, and for a
    signal that is ignored (``SIG_IGN``), nothing is installed and the
    signal keeps its disposition.
    """

    def __init__(self) -> None:
        self._previous: Dict[int, object] = {}

    def install(self) -> bool:
        """Install the handlers; return whether any was installed."""
        if threading.current_thread() is not threading.main_thread():
            return False
        _restore_in_forked_children()
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue
            self._previous[signum] = signal.signal(signum, self._handle)
        if self._previous:
            _installed.append(self)
        return bool(self._previous)

    def restore(self) -> None:
        """Put the handlers back that were there before :meth:`install`."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        if self in _installed:
            _installed.remove(self)

    def _handle(self, signum: int, frame) -> None:
        raise NotImplementedError


class StopSignals(_SignalHandlers):
    """Catch :data:`STOP_SIGNALS` while installed and remember the first
    (a loop then stops at its next safe point)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: Optional[int] = None

    @staticmethod
    def active() -> Optional['StopSignals']:
        """The innermost installed :class:`StopSignals` (a training loop's,
        which the validation inside it reads), or None."""
        for handlers in reversed(_installed):
            if isinstance(handlers, StopSignals):
                return handlers
        return None

    def install(self) -> bool:
        self.received = None
        return super().install()

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


class StopAtOnce(_SignalHandlers):
    """Turn :data:`STOP_SIGNALS` into :class:`StopRequested`, raised where
    the signal lands: for a tool's set-up and end, outside the loops
    (which install :class:`StopSignals` over it while they run)."""

    def _handle(self, signum: int, frame) -> None:
        raise StopRequested(signum)


def agreed_signal(stop: Optional[StopSignals]) -> int:
    """The stop signal received by any process of the run (0: none): the
    flag is all-reduced in distributed runs, so that all ranks stop after
    the same iteration. Every rank must call it at the same point."""
    received = (stop.received if stop is not None else None) or 0
    if get_world_size() > 1:
        flag = torch.tensor(received)
        all_reduce(flag, op='max')
        received = int(flag)
    return received


#: The installed handlers, innermost last, which forked children drop.
_installed: List[_SignalHandlers] = []


def _restore_in_forked_child() -> None:
    """Give a forked child the handlers it would have without us.

    A process pool forked while training (mmdet's VOC metric) ends its
    workers with SIGTERM and waits for them. With the handlers inherited,
    a worker only noted the signal, or, had it come just before a blocking
    call, never ran the handler at all: training hung. Restored at the
    fork, the child dies of it at once, as without us.
    """
    for handlers in reversed(list(_installed)):
        handlers.restore()


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
        # Ignored, then unblocked (blocked from the start by the shielded
        # start; ignoring discards one that came meanwhile).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
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


class _StartsWithStopSignalsBlocked:
    """A ``multiprocessing`` Process whose child starts with
    :data:`STOP_SIGNALS` blocked: they are blocked in the starting thread
    while it forks (or execs, for ``spawn``), and a child inherits its
    parent's signal mask. The parent's own pending signal is delivered
    once the mask is restored."""

    def start(self) -> None:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _ShieldedForkProcess(_StartsWithStopSignalsBlocked,
                           mp_context.ForkProcess):
    pass


class _ShieldedSpawnProcess(_StartsWithStopSignalsBlocked,
                            mp_context.SpawnProcess):
    pass


class _ShieldedForkContext(mp_context.ForkContext):
    Process = _ShieldedForkProcess


class _ShieldedSpawnContext(mp_context.SpawnContext):
    Process = _ShieldedSpawnProcess


#: The start methods whose children inherit the parent's signal mask
#: (a ``forkserver`` child is forked by the server, not by the loader).
_SHIELDED_CONTEXTS = dict(fork=_ShieldedForkContext,
                          spawn=_ShieldedSpawnContext)


def shield_loader_workers(dataloader: Optional[DataLoader]) -> None:
    """Make ``dataloader``'s worker processes, started from now on, ignore
    :data:`STOP_SIGNALS` (:class:`IgnoreStopSignals`), from their start
    where the start method is ``fork`` or ``spawn`` (the loader's own, or
    the default); no-op for ``None``, loaders without workers and loaders
    already shielded."""
    if (not isinstance(dataloader, DataLoader) or dataloader.num_workers == 0
            or isinstance(dataloader.worker_init_fn, IgnoreStopSignals)):
        return
    dataloader.worker_init_fn = IgnoreStopSignals(dataloader.worker_init_fn)
    context = dataloader.multiprocessing_context or mp.get_context()
    shielded = _SHIELDED_CONTEXTS.get(context.get_start_method())
    if shielded is not None:
        dataloader.multiprocessing_context = shielded()


@contextlib.contextmanager
def report_stop_signals(command: Optional[Sequence[str]] = None):
    """A tool's handling of Ctrl-C and SIGTERM from start to end.

    While the block runs, a stop signal outside the loops raises
    :class:`StopRequested` at once (:class:`StopAtOnce`; mmsnn's loops
    stop at their next safe point instead). :class:`TrainingInterrupted`,
    :class:`EvaluationInterrupted` and :class:`StopRequested` become one
    paragraph on stderr (for a training that can go on: the command that
    does) and the exit status a shell gives a process killed by that
    signal (128 + signal number: 130 for SIGINT, 143 for SIGTERM), so that
    job scripts can tell a stop from a failure and requeue with
    ``--resume``.

    Args:
        command (Sequence[str], optional): The tool's command line
            (:func:`mmsnn.utils.tool_command.tool_command`), for the
            command that continues a stopped training.
    """
    handlers = StopAtOnce()
    handlers.install()
    try:
        yield
    except (TrainingInterrupted, EvaluationInterrupted,
            StopRequested) as e:
        handlers.restore()
        message = f'\nmmsnn: {e}.'
        if isinstance(e, TrainingInterrupted) and e.stage != 'finished':
            first = (' (it runs that validation first)'
                     if e.stage == 'val' else '')
            message += (' Continue with the same command and --resume'
                        f'{first}; it reads last_checkpoint in the work dir, '
                        'which points to that file')
            if command:
                message += ':\n    ' + format_command(
                    drop_options(command, {'--resume': None}) +
                    ['--resume', e.checkpoint])
            else:
                message += '.'
        print(message + '\n', file=sys.stderr, flush=True)
        sys.exit(128 + e.signum)
    finally:
        handlers.restore()
