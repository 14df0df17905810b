"""mmsnn.engine.torchrun_stop: which torchrun failures are a stop on a
signal.

The launcher's whole path (tools/dist_run.py: torchrun signalled, a rank
signalled) runs in tests/test_tools/test_dist_train.py; here, the rule on
its own.
"""
from types import SimpleNamespace

import pytest

from mmsnn.engine.torchrun_stop import stop_status


def failures(*exitcodes):
    """``ChildFailedError.failures``: rank -> a failure with its exit code."""
    return {rank: SimpleNamespace(exitcode=code)
            for rank, code in enumerate(exitcodes)}


@pytest.mark.parametrize('exitcodes,status', [
    ((143, ), 143),  # a rank stopped on SIGTERM
    ((143, 143), 143),
    ((130, 130), 130),  # Ctrl-C
    ((143, -15), 143),  # then torchrun's SIGTERM ended the other's exit
    ((-15, 143), 143),
    ((-15, ), None),  # killed, not stopped: no checkpoint is known
    ((1, ), None),  # an error
    ((143, 1), None),  # a stop on one rank, an error on another
    ((143, -9), None),  # one SIGKILLed: keep torchrun's report
    ((130, 143), None),
])
def test_only_ranks_that_all_stopped_on_a_signal_are_a_stop(
        exitcodes, status):
    assert stop_status(failures(*exitcodes)) == status
