"""Capture what C libraries write to the process's stderr."""
import contextlib
import os
import sys
import tempfile
from typing import Callable, Iterator


@contextlib.contextmanager
def stderr_capture() -> Iterator[Callable[[], str]]:
    """Send file descriptor 2 to a temporary file; yield a function that
    returns what was written since its last call.

    libjpeg and libpng report damaged data that they still decode (``Corrupt
    JPEG data: 599 extraneous bytes before marker 0xd9``) only as text on
    stderr, which cv2 neither returns nor raises. What is written inside
    the block and not taken is passed on to stderr at its end.

    Yields:
        Callable[[], str]: Returns the text written since its last call.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        read = [0]

        def take() -> str:
            capture.seek(read[0])
            data = capture.read()
            read[0] += len(data)  # bytes: a replaced one is 3 in UTF-8
            capture.seek(0, 2)
            return data.decode(errors='replace')

        try:
            yield take
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            rest = take()
            if rest:  # anything else written meanwhile: pass it on
                sys.stderr.write(rest)
