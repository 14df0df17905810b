"""Check that a run can write where it is told to, before it starts."""
import errno
import os
import os.path as osp
import tempfile

from .input_error import InputError

_REASONS = {
    errno.EROFS: 'is on a read-only file system',
    errno.EACCES: 'is not writable by this user',
    errno.EPERM: 'does not allow creating files',
    errno.ENOSPC: 'is on a full disk',
    errno.EDQUOT: 'is over its disk quota',
    errno.ENOTDIR: 'has a file where a directory should be',
    errno.EEXIST: 'is a file, not a directory',
}


def check_writable_dir(path: str, what: str, advice: str) -> None:
    """Create the directory ``path`` if needed and write (and remove) a
    file there.

    Args:
        path (str): The directory (local; URLs are left alone).
        what (str): How the message calls it, e.g. ``'--out-dir'``.
        advice (str): The message's last sentence: what goes there and
            which option to change.

    Raises:
        InputError: Names the directory, the reason and what to do.
    """
    if '://' in str(path):
        return
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix='.mmsnn-probe-')
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        reason = _REASONS.get(e.errno, 'cannot be written')
        raise InputError(
            f'The {what} {path} (absolute: {osp.abspath(path)}) '
            f'{reason} ({type(e).__name__}: [Errno {e.errno}] {e.strerror}'
            f'{": " + str(e.filename) if e.filename else ""}). {advice}'
            ) from None


def check_work_dir(work_dir: str, what: str = 'work_dir') -> None:
    """Create ``work_dir`` if needed and write (and remove) a file there.

    mmengine's runner creates the work dir and its log files while it is
    being built; a read-only or full place surfaces there as a traceback
    (``OSError: [Errno 30] Read-only file system``).

    Args:
        work_dir (str): The directory (local; URLs are left alone).
        what (str): How the message calls it, e.g. ``'--work-dir'``.

    Raises:
        InputError: Names the directory, the reason and what to do.
    """
    check_writable_dir(
        work_dir, what, 'Logs and checkpoints go there; pass --work-dir '
        'with a writable directory.')


def check_output_file(path: str, option: str) -> None:
    """Check before long work that the file ``path`` can be written: not a
    directory, in a folder that exists (it is created) and takes files.

    Without this, a tool that writes its result at the end (a dump of
    predictions, a balanced checkpoint) fails with a traceback after all
    its work.

    Args:
        path (str): The file (local; URLs are left alone).
        option (str): The option or argument naming it, e.g. ``'--out'``.

    Raises:
        InputError: Names the file, the reason and what to do.
    """
    if '://' in str(path):
        return
    if osp.isdir(path):
        raise InputError(
            f'{option} {path} (absolute: {osp.abspath(path)}) is a '
            'directory; name a file to write.')
    check_writable_dir(
        osp.dirname(osp.abspath(path)), f'folder of {option}',
        f'{option} {path} is written there at the end; pass {option} with '
        'a file in a writable folder.')
