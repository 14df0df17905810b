"""StopSignals: the first SIGINT/SIGTERM is remembered, a second SIGINT
acts as without it, a repeated SIGTERM does not, ignored signals stay
ignored; DataLoader workers ignore both; and the tools' handling: a signal
outside the loops stops at once, every stop is one paragraph (with the
command that goes on) and exit status 128 + signal."""
import functools
import multiprocessing
import os
import pickle
import signal
import subprocess
import threading
import time

import pytest
import torch
from torch.utils.data import DataLoader

from mmsnn.engine import (StopSignals, TrainingInterrupted,
                          report_stop_signals)
from mmsnn.engine.stop_signals import (IgnoreStopSignals, StopAtOnce,
                                       shield_loader_workers)


@pytest.fixture
def signals():
    stop = StopSignals()
    yield stop
    stop.restore()


def test_first_signal_is_remembered_second_acts(signals):
    assert signals.install()
    os.kill(os.getpid(), signal.SIGINT)
    assert signals.received == signal.SIGINT  # no KeyboardInterrupt yet
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_repeated_sigterm_is_the_same_request_ctrl_c_still_acts(signals):
    """SLURM and torchrun both pass a job's SIGTERM to a worker."""
    assert signals.install()
    for _ in range(3):
        os.kill(os.getpid(), signal.SIGTERM)  # the process would end here
    assert signals.received == signal.SIGTERM
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)


def test_forked_children_act_as_without_the_handlers(signals):
    """A process pool forked while training (mmdet's VOC metric) ends its
    workers with SIGTERM and waits for them: they must die of it."""
    assert signals.install()
    child = multiprocessing.get_context('fork').Process(target=time.sleep,
                                                        args=(60, ))
    child.start()
    try:
        time.sleep(0.2)  # the child is asleep, with the inherited handler
        child.terminate()
        child.join(20)
        assert child.exitcode == -signal.SIGTERM
    finally:
        child.kill()
    assert signals.received is None  # the parent was not asked to stop


def test_ignored_signal_stays_ignored(signals):
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        signals.install()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        signals.restore()
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_the_main_thread_nothing_is_installed(signals):
    installed = []
    thread = threading.Thread(target=lambda: installed.append(
        signals.install()))
    thread.start()
    thread.join()
    assert installed == [False]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_report_names_signal_checkpoint_and_exits_128_plus_signal(capsys):
    with pytest.raises(SystemExit) as info:
        with report_stop_signals():
            raise TrainingInterrupted(signal.SIGTERM, 'wd/interrupted_iter_7'
                                      '.pth', epoch=3, iteration=7)
    assert info.value.code == 143
    err = capsys.readouterr().err
    assert ('mmsnn: training stopped by SIGTERM after iteration 7 (epoch 4 '
            'in progress); checkpoint wd/interrupted_iter_7.pth written. '
            'Continue with the same command and --resume') in err


def test_report_prints_the_command_that_goes_on(capsys):
    command = ['python', 'tools/train.py', 'c.py', '--resume', 'old.pth',
               '--reset-lr']
    with pytest.raises(SystemExit) as info:
        with report_stop_signals(command):
            raise TrainingInterrupted(signal.SIGINT, 'wd/i.pth', epoch=2,
                                      iteration=6, stage='val')
    assert info.value.code == 130
    err = capsys.readouterr().err
    assert ('training stopped by SIGINT at the validation after iteration 6 '
            '(epoch 2); checkpoint wd/i.pth written, with that validation '
            'still to run. Continue with the same command and --resume (it '
            'runs that validation first)') in err
    assert err.split('\n    ')[1].strip() == \
        'python tools/train.py c.py --reset-lr --resume wd/i.pth'


def test_outside_the_loops_a_signal_stops_at_once_with_one_line(capsys):
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as info:
        with report_stop_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # not reached
    assert info.value.code == 143
    assert 'mmsnn: stopped at once by SIGTERM' in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is previous


def test_forked_children_drop_nested_handlers_innermost_first():
    """A tool's handlers, a loop's over them: a child forked inside both
    gets the handlers of before the tool (mmdet's VOC metric pool)."""
    outer, inner = StopAtOnce(), StopSignals()
    outer.install()
    inner.install()
    try:
        assert StopSignals.active() is inner
        child = multiprocessing.get_context('fork').Process(
            target=time.sleep, args=(60, ))
        child.start()
        time.sleep(0.2)
        child.terminate()
        child.join(20)
        assert child.exitcode == -signal.SIGTERM
    finally:
        inner.restore()
        outer.restore()
    assert StopSignals.active() is None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _worker_state(worker_id, received):
    """A worker_init_fn that records its id and how its signals are set."""
    received.put((worker_id, signal.getsignal(signal.SIGINT),
                  signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK,
                                                           [])))


def test_loader_workers_ignore_stop_signals_and_keep_their_init_fn():
    received = multiprocessing.get_context('fork').SimpleQueue()
    loader = DataLoader(torch.arange(2), num_workers=1,
                        multiprocessing_context='fork',
                        worker_init_fn=functools.partial(
                            _worker_state, received=received))
    init_fn = loader.worker_init_fn
    shield_loader_workers(loader)
    shield_loader_workers(loader)  # once is enough: no second wrapper
    assert isinstance(loader.worker_init_fn, IgnoreStopSignals)
    assert loader.worker_init_fn.init_fn is init_fn
    assert [int(x) for x in loader] == [0, 1]  # the data is unchanged
    # SIGINT ignored, SIGTERM blocked (waited for by a thread), set after
    # torch's worker handlers (which let SIGTERM kill a worker).
    assert received.get() == (0, signal.SIG_IGN, True)
    # In the training process nothing changed.
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    # The spawn start method pickles the worker_init_fn.
    assert pickle.loads(pickle.dumps(IgnoreStopSignals(None))).init_fn is None


def test_loader_worker_survives_others_sigterm_but_not_its_loaders():
    """Someone else's SIGTERM (SLURM's, torchrun's) is ignored; the
    loader's own (its shutdown; multiprocessing's at exit, which then
    waits for the worker) ends the worker, with status 0 as under torch's
    handler."""
    loader = DataLoader(torch.arange(4), num_workers=1,
                        persistent_workers=True,
                        multiprocessing_context='fork')
    shield_loader_workers(loader)
    batches = iter(loader)
    assert int(next(batches)) == 0
    worker = batches._workers[0]
    try:
        for signum in (signal.SIGTERM, signal.SIGINT):
            subprocess.run(['kill', f'-{signum.name[3:]}', str(worker.pid)],
                           check=True)  # sent by the kill process
        time.sleep(0.5)
        assert worker.is_alive()
        assert [int(x) for x in batches] == [1, 2, 3]
        worker.terminate()  # SIGTERM from the loader's process
        worker.join(20)
        assert worker.exitcode == 0
    finally:
        worker.kill()
        del batches


def _signalled_while_starting(received):
    """A worker's start as torch runs it, with a SIGTERM from someone else
    (here: itself) arriving before the worker_init_fn."""
    os.kill(os.getpid(), signal.SIGTERM)
    IgnoreStopSignals(None)(0)
    received.put('alive')


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_signal_while_a_worker_starts_waits_until_it_is_ignored(method):
    """Workers without persistent_workers start anew every epoch: a stop
    signal in the moment before their worker_init_fn must not kill them.
    The shielded loader's workers start with the signals blocked."""
    loader = DataLoader(torch.arange(2), num_workers=1,
                        multiprocessing_context=method)
    shield_loader_workers(loader)
    context = loader.multiprocessing_context
    assert context.get_start_method() == method
    received = context.SimpleQueue()
    worker = context.Process(target=_signalled_while_starting,
                             args=(received, ))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0 and received.get() == 'alive'
    # The starting process's mask is as before.
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    # Without the shield the signal kills the worker at once.
    plain = multiprocessing.get_context(method)
    received = plain.SimpleQueue()
    worker = plain.Process(target=_signalled_while_starting,
                           args=(received, ))
    worker.start()
    worker.join(60)
    assert worker.exitcode == -signal.SIGTERM
    # A forkserver child is not forked by the loader: left as it is.
    loader = DataLoader(torch.arange(2), num_workers=1,
                        multiprocessing_context='forkserver')
    shield_loader_workers(loader)
    assert type(loader.multiprocessing_context) is type(
        multiprocessing.get_context('forkserver'))


def test_loaders_without_workers_are_left_alone():
    loader = DataLoader(torch.arange(2))
    shield_loader_workers(loader)
    assert loader.worker_init_fn is None
    shield_loader_workers(None)  # a runner without a val loop
