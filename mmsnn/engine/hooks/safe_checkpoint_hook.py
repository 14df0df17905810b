"""mmengine's CheckpointHook without its crash windows, writing checkpoints
that torch's weights-only loader reads."""
import contextlib
import os
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mmdet.registry import HOOKS
from mmsnn.engine.atomic_local_backend import (ATOMIC_BACKEND,
                                               AtomicLocalBackend,
                                               remove_stale_temporaries)
from mmsnn.engine.checkpoint.plain_state import from_plain, to_plain
from mmsnn.engine.disk_space import (check_space_for_checkpoint,
                                     disk_full_error, is_no_space)
from mmsnn.engine.last_checkpoint import last_good_checkpoint
from mmsnn.engine.runner.loops import (INTERRUPTED_CKPT_KEY,
                                       remove_interrupted_checkpoint)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose every moment leaves a usable checkpoint.

    Same arguments and behaviour as mmengine's ``CheckpointHook`` (see its
    docstring). The differences:

    - Checkpoints are written atomically: the bytes go to a temporary file
      that replaces the target once complete
      (:class:`~mmsnn.engine.atomic_local_backend.AtomicLocalBackend`,
      chosen through ``backend_args`` when neither ``backend_args`` nor
      ``file_client_args`` is given and ``out_dir`` is local).
    - With ``max_keep_ckpts`` set, the stock hook deletes the oldest kept
      checkpoint *before* writing the new one, so a crash or kill while
      saving can leave no checkpoint at all (``max_keep_ckpts=1``); with
      ``save_best``, it deletes the previous ``best_*.pth`` before writing
      the new one. Here those removals wait until the new checkpoint and
      the ``last_checkpoint`` pointer are written.
    - ``<work_dir>/last_checkpoint`` is rewritten atomically (and flushed
      to disk) after each save. mmengine writes it in place first; if that
      write is interrupted by an exception (a second Ctrl-C, a full disk),
      the previous pointer is put back. (Only a ``kill -9`` in the moment
      of that small write can leave the pointer empty; the previous
      checkpoint is then still there, and tools/train.py ``--resume``
      names it.)
    - Checkpoints hold no object that torch's weights-only loader refuses
      (the message hub's logs are stored as tensors, see
      :mod:`mmsnn.engine.checkpoint.plain_state`), so stock ``torch.load``,
      mmengine's ``load_from`` and resume, mmdet's ``init_detector`` and
      ``DetInferencer`` load them under torch >= 2.6 without an allowlist;
      resuming through this hook turns the logs back into mmengine's
      objects.
    - The checkpoint that a stop signal made ``SafeEpochBasedTrainLoop``
      write is removed once this hook has written a later one and moved
      ``last_checkpoint`` to it.
    - Temporary files that a killed save left (see
      :func:`~mmsnn.engine.atomic_local_backend.remove_stale_temporaries`)
      are removed, with a log line, when training starts.
    - A full disk is one paragraph
      (:class:`~mmsnn.engine.disk_space.DiskFullError`: the file, the space
      it needed, the last good checkpoint), not an ``OSError`` traceback;
      and before an epoch that ends with a save, the free space is
      compared with the size of the last checkpoint (in a fresh run: of
      the model's weights), so that an epoch whose checkpoint cannot be
      written is not trained.

    All of it goes through mmengine's public hook methods (the saving ones
    are wrapped, not rewritten). ``tools/train.py`` puts this hook in place
    of a config's ``CheckpointHook`` (see
    :func:`mmsnn.engine.add_reliability_hooks`).

    Args:
        interval (int): As ``CheckpointHook``'s. Defaults to -1.
        by_epoch (bool): As ``CheckpointHook``'s. Defaults to True.
        **kwargs: ``CheckpointHook``'s other arguments.
    """

    def __init__(self, interval: int = -1, by_epoch: bool = True,
                 **kwargs) -> None:
        out_dir = kwargs.get('out_dir')
        if (kwargs.get('backend_args') is None
                and kwargs.get('file_client_args') is None
                and (out_dir is None or '://' not in str(out_dir))):
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(interval=interval, by_epoch=by_epoch, **kwargs)
        # What last_checkpoint held before the save in progress (None: no
        # pointer), the saves during one of the wrapped hook methods (None
        # outside them) and a stop signal's checkpoint to remove.
        self._pointer: Optional[str] = None
        self._saves: Optional[int] = None
        self._interrupted: Optional[str] = None

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not is_main_process():
            return
        self._pointer = _read_pointer(runner.work_dir)
        for directory in {runner.work_dir, self.out_dir}:
            if '://' in str(directory):
                continue  # remote storage: no partial files of ours there
            for path in remove_stale_temporaries(directory):
                runner.logger.warning(
                    f'Removed {path}, the temporary file of a checkpoint '
                    'save that was killed; the checkpoint it would have '
                    'replaced was left complete.')

    def before_train_epoch(self, runner) -> None:
        if not is_main_process() or '://' in str(self.out_dir) or not (
                not self.by_epoch
                or self.every_n_epochs(runner, self.interval, self.save_begin)
                or (self.save_last and self.is_last_train_epoch(runner))):
            return
        last = last_good_checkpoint(runner.work_dir)
        if last:
            needed, estimate = osp.getsize(last), f'the size of {last}'
        else:
            needed = sum(v.numel() * v.element_size()
                         for v in runner.model.state_dict().values())
            estimate = 'at least the size of the model\'s weights'
        check_space_for_checkpoint(self.out_dir, needed, runner.epoch + 1,
                                   estimate, last)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        with self._safe_saves(runner):
            super().after_train_iter(runner, batch_idx, data_batch, outputs)

    def after_train_epoch(self, runner) -> None:
        with self._safe_saves(runner):
            super().after_train_epoch(runner)

    def after_val_epoch(self, runner, metrics) -> None:
        with self._safe_saves(runner):
            super().after_val_epoch(runner, metrics)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the message hub's state as plain data (every save of the
        run, a stop signal's included); a save of this hook drops the
        record of a stop signal's checkpoint, which it outdates."""
        if 'message_hub' not in checkpoint:
            return
        state = checkpoint['message_hub'] = to_plain(
            checkpoint['message_hub'])
        if self._saves is None:
            return  # not this hook's save (a stop signal's, say)
        self._saves += 1
        record = state.get('runtime_info', {}).get(INTERRUPTED_CKPT_KEY)
        if record:
            self._interrupted = record['path']
            state['runtime_info'][INTERRUPTED_CKPT_KEY] = None
            runner.message_hub.update_info(INTERRUPTED_CKPT_KEY, None)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Turn the message hub's plain state back into mmengine's objects
        before the runner resumes from it."""
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_plain(checkpoint['message_hub'])

    @contextlib.contextmanager
    def _safe_saves(self, runner):
        """Run one of CheckpointHook's saving methods; its removals wait
        until the new checkpoint and the pointer are written."""
        # (None in a run that does not train: runner.val() validates with
        # the hooks of a training config)
        backend = getattr(self, 'file_backend', None)
        defer = (backend.deferred_removals()
                 if isinstance(backend, AtomicLocalBackend) else
                 contextlib.nullcontext([]))
        self._saves = 0
        try:
            with defer as removals:
                yield
        except BaseException as e:
            if self._saves and is_main_process():
                try:
                    self._put_pointer(runner, self._pointer)
                except OSError:
                    pass  # a full disk: the pointer was not rewritten either
            if is_no_space(e):
                raise disk_full_error(
                    e, last_good_checkpoint(runner.work_dir)) from e
            raise
        finally:
            saves, self._saves = self._saves, None
        if not is_main_process():
            return
        if saves and self.last_ckpt is not None:
            # mmengine wrote the pointer in place; made durable here
            # before anything it outdates goes.
            self._put_pointer(runner, self.last_ckpt)
            remove_interrupted_checkpoint(runner, self._interrupted,
                                          kept=self.last_ckpt)
            self._interrupted = None
        kept = {self.last_ckpt, getattr(self, 'best_ckpt_path', None),
                *(getattr(self, 'best_ckpt_path_dict', None) or {}).values()}
        for path in removals:
            if path not in kept:  # (a best checkpoint saved again)
                backend.remove_now(path)

    def _put_pointer(self, runner, target: Optional[str]) -> None:
        """Write ``target`` into ``<work_dir>/last_checkpoint`` atomically
        (remove the pointer for None)."""
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        if target is None:
            if osp.isfile(pointer):
                os.remove(pointer)
        else:
            AtomicLocalBackend().put_text(target, pointer)
        self._pointer = target


def _read_pointer(work_dir: str) -> Optional[str]:
    """What ``<work_dir>/last_checkpoint`` holds; None without one."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        return f.read()
