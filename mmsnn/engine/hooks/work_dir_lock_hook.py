"""Refuse a second training in a work dir in use (for configs run by other
tools than mmsnn's)."""
import weakref
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from mmsnn.engine.work_dir_lock import WorkDirLock


@HOOKS.register_module()
class WorkDirLockHook(Hook):
    """Hold the work dir's lock (:class:`~mmsnn.engine.WorkDirLock`,
    ``<work_dir>/train.lock``) from ``before_run`` to ``after_run``, on
    rank 0; a second training in that work dir stops with
    :class:`~mmsnn.engine.work_dir_lock.WorkDirInUseError` naming the
    first.

    tools/train.py takes the lock before it builds the runner, so that the
    second run writes nothing at all; this hook (added by
    :func:`~mmsnn.engine.add_reliability_hooks`) then finds it held by its
    own process and leaves it to the tool. Under another tool the runner
    has written its config dump and started its log before ``before_run``:
    the hook stops the rest (checkpoints, ``last_checkpoint``, training).
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._lock: Optional[WorkDirLock] = None

    def before_run(self, runner) -> None:
        if not is_main_process():
            return
        self._lock = WorkDirLock(runner.work_dir)
        self._lock.acquire()
        # A run that failed never reaches after_run: the lock goes with its
        # runner (or with the process).
        weakref.finalize(runner, self._lock.release)

    def after_run(self, runner) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
