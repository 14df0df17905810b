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
    if '://' in str(work_dir):
        return
    try:
        os.makedirs(work_dir, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=work_dir, prefix='.mmsnn-probe-')
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        reason = _REASONS.get(e.errno, 'cannot be written')
        raise InputError(
            f'The {what} {work_dir} (absolute: {osp.abspath(work_dir)}) '
            f'{reason} ({type(e).__name__}: [Errno {e.errno}] {e.strerror}'
            f'{": " + str(e.filename) if e.filename else ""}). Logs and '
            'checkpoints go there; pass --work-dir with a writable '
            'directory.') from None
