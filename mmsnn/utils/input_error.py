"""The error type for bad user input, and how the tools report it."""
import contextlib
import os
import sys


class InputError(Exception):
    """Bad user input: a data set, config value or checkpoint file.

    The message is the whole story (what was wrong, where, what was expected
    and what to do), so the tools print it without a traceback.
    """


class ConfigValueError(InputError, ValueError):
    """A config value outside what a component accepts (``time_steps``,
    ``decode_mode``, ``reset_mode``, ``v_threshold``, ...)."""


@contextlib.contextmanager
def report_input_errors():
    """Turn an :class:`InputError` into one paragraph on stderr and exit 2.

    Set the environment variable ``MMSNN_DEBUG=1`` to see the traceback.
    """
    try:
        yield
    except InputError as e:
        if os.environ.get('MMSNN_DEBUG'):
            raise
        print(f'\nmmsnn error: {e}\n', file=sys.stderr, flush=True)
        sys.exit(2)
