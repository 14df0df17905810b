"""mmsnn.utils.stderr_capture: what C code writes to file descriptor 2."""
import os

from mmsnn.utils import stderr_capture


def test_takes_what_was_written_since_the_last_call(capfd):
    with stderr_capture() as written:
        os.write(2, b'Corrupt JPEG data: 2 extraneous bytes\n')
        assert written() == 'Corrupt JPEG data: 2 extraneous bytes\n'
        assert written() == ''
        os.write(2, b'\xff not utf-8\n')
        assert written() == '\ufffd not utf-8\n'
        os.write(2, b'left over\n')  # not taken: passed on at the end
    assert capfd.readouterr().err == 'left over\n'
    os.write(2, b'after\n')  # stderr is stderr again
    assert capfd.readouterr().err == 'after\n'
