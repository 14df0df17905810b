"""Which torchrun failures are a stop on a signal: the ranks stopped with a
checkpoint after SIGINT or SIGTERM, as one ``tools/train.py`` does."""
import signal
from typing import Optional

#: The exit statuses of a rank that stopped on SIGINT or SIGTERM.
STOP_STATUSES = {128 + signal.SIGINT, 128 + signal.SIGTERM}


def stop_status(failures: dict) -> Optional[int]:
    """The status of ranks that all stopped on a signal, else ``None``.

    Ranks that exited with one of :data:`STOP_STATUSES` (all the same one),
    and others that torchrun then ended with SIGTERM during their exit, are
    a stop; anything else (an error, a SIGKILL, a rank killed before it
    stopped) keeps torchrun's report.

    Args:
        failures (dict[int, ProcessFailure]): ``ChildFailedError.failures``.

    Returns:
        int or None: 130 or 143, or None.
    """
    statuses = {failure.exitcode for failure in failures.values()}
    stopped = statuses & STOP_STATUSES
    if len(stopped) != 1 or not statuses <= stopped | {-signal.SIGTERM}:
        return None
    return stopped.pop()
