"""mmengine's CheckpointHook without its crash windows."""
import contextlib
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mmdet.registry import HOOKS
from mmsnn.engine.atomic_local_backend import (AtomicLocalBackend,
                                               remove_stale_temporaries)
from mmsnn.engine.runner.loops import (INTERRUPTED_CKPT_KEY,
                                       remove_interrupted_checkpoint)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose every moment leaves a usable checkpoint.

    Same arguments and behaviour as mmengine's ``CheckpointHook`` (see its
    docstring), with two differences in how a checkpoint is saved:

    - With ``max_keep_ckpts`` set, the stock hook deletes the oldest kept
      checkpoint *before* writing the new one, so a crash or kill while
      saving can leave no checkpoint at all (``max_keep_ckpts=1``). Here the
      new checkpoint is written first, then ``last_checkpoint`` is pointed
      at it, and only then is the outdated one removed.
    - The stock hook writes ``<work_dir>/last_checkpoint`` in place, so a
      kill mid-write leaves an empty pointer and ``--resume`` finds nothing.
      Here it is replaced atomically (temporary file + ``os.replace``).
    - With ``save_best``, the stock hook deletes the previous
      ``best_*.pth`` before writing the new one; here the old one goes only
      after the new one is complete.
    - The checkpoint that a stop signal made ``SafeEpochBasedTrainLoop``
      write is removed once this hook has written a later one and moved
      ``last_checkpoint`` to it.
    - Temporary files that a killed save left (see
      :func:`~mmsnn.engine.atomic_local_backend.remove_stale_temporaries`)
      are removed, with a log line, when training starts.

    ``tools/train.py`` puts it in place of a config's ``CheckpointHook``
    (see :func:`mmsnn.engine.add_reliability_hooks`).
    """

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not is_main_process():
            return
        for directory in {runner.work_dir, self.out_dir}:
            if '://' in str(directory):
                continue  # remote storage: no partial files of ours there
            for path in remove_stale_temporaries(directory):
                runner.logger.warning(
                    f'Removed {path}, the temporary file of a checkpoint '
                    'save that was killed; the checkpoint it would have '
                    'replaced was left complete.')

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """The parent's, with the removal of the previous best checkpoint
        moved after the new one (and ``last_checkpoint``) is written."""
        deferred = []
        with self._deferred_removals(deferred):
            super()._save_best_checkpoint(runner, metrics)
        # Neither attribute exists when save_best is None (mmengine sets
        # them only for a metric to keep).
        kept = {getattr(self, 'best_ckpt_path', None),
                *(getattr(self, 'best_ckpt_path_dict', None) or {}).values()}
        for path in deferred:
            if path in kept:
                continue
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)

    @contextlib.contextmanager
    def _deferred_removals(self, deferred: list):
        """Let ``file_backend.remove``/``rmtree`` only record their path."""
        backend = self.file_backend
        backend.remove = backend.rmtree = deferred.append
        try:
            yield
        finally:
            del backend.remove, backend.rmtree  # the class's methods again

    def _save_checkpoint_with_step(self, runner, step: int,
                                   meta: dict) -> None:
        """Save the checkpoint of ``step``, then drop the outdated one.

        Args:
            runner (Runner): The runner of the training process.
            step (int): The epoch or iteration the file is named after.
            meta (dict): Meta information saved with the checkpoint.
        """
        # The parent's removal and pointer write sit in the middle of this
        # method, so it is rewritten whole; only their order and the pointer
        # write differ.
        outdated = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            # (_save_best_checkpoint saves the same step a second time.)
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated = self.keep_ckpt_ids[0]
            # Updated before saving, so that the new checkpoint carries the
            # ids it keeps and a resumed run goes on counting from them; the
            # deque's maxlen drops `outdated` from it.
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        # A stop signal's checkpoint (SafeEpochBasedTrainLoop) is outdated
        # by this one; cleared first so that this one does not name it.
        interrupted = (runner.message_hub.get_info(INTERRUPTED_CKPT_KEY)
                       or {}).get('path')
        if interrupted:
            runner.message_hub.update_info(INTERRUPTED_CKPT_KEY, None)

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)

        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)

        # Model parallel-like training saves on every rank; the pointer and
        # the removal are the main process's.
        if not is_main_process():
            return

        # The pointer moves before the removal: it never names a deleted file.
        AtomicLocalBackend().put_text(
            self.last_ckpt, osp.join(runner.work_dir, 'last_checkpoint'))
        remove_interrupted_checkpoint(runner, interrupted,
                                      kept=self.last_ckpt)
        if outdated is not None:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(outdated))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                # checkpoints saved by deepspeed are directories
                self.file_backend.rmtree(path)
