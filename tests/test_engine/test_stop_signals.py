"""StopSignals: the first SIGINT/SIGTERM is remembered, a second acts as
without it, ignored signals stay ignored; and the tools' report of a stop."""
import os
import signal
import threading

import pytest

from mmsnn.engine import (StopSignals, TrainingInterrupted,
                          report_training_interrupted)


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
        with report_training_interrupted():
            raise TrainingInterrupted(signal.SIGTERM, 'wd/interrupted_iter_7'
                                      '.pth', epoch=3, iteration=7)
    assert info.value.code == 143
    err = capsys.readouterr().err
    assert ('mmsnn: training stopped by SIGTERM after iteration 7 (epoch 4 '
            'in progress); checkpoint wd/interrupted_iter_7.pth written. '
            'Continue with the same command and --resume') in err
