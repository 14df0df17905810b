"""The checkpoint a run's ``<work_dir>/last_checkpoint`` names."""
import os.path as osp
from typing import Optional


def last_good_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint of the run in ``work_dir``.

    ``<work_dir>/last_checkpoint`` is written only after a checkpoint is
    complete (mmsnn's checkpoint hook and stop-signal saves write it after
    saving), unlike the message hub's ``last_ckpt``, which names the file
    being saved; with :class:`~mmsnn.engine.FiniteLossHook`, a saved
    checkpoint holds only finite numbers.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str or None: The file the pointer names; None without a pointer or
        where it names no file.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        last = f.read().strip()
    return last if last and osp.isfile(last) else None
