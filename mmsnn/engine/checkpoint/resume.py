"""What ``--resume`` needs: the checkpoint to continue from, and one that
continues this run.

mmengine's ``Runner.resume`` loads with ``strict=False`` (a checkpoint of
another width "resumes" into mostly random weights and prints a size
mismatch per layer) and, given a finished run's checkpoint, trains nothing
and exits 0; its auto-resume follows a broken ``last_checkpoint`` pointer
into a ``FileNotFoundError``. Here each of these is one paragraph, before
the run starts.
"""
import os
import os.path as osp
from typing import Optional

from mmsnn.utils import InputError
from ..runner.loops import INTERRUPTED_CKPT_KEY
from .file import load_checkpoint_to_check
from .finite import check_finite
from .fit import check_load_from_shapes
from .model_type import model_type_mismatch


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (without a file) would continue from.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str or None: The file ``<work_dir>/last_checkpoint`` names; None when
        there is no such pointer (a fresh start, as mmengine does).

    Raises:
        InputError: The pointer is empty or names a file that does not exist.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        named = f.read().strip()
    if named and osp.isfile(named):
        return named
    found = sorted((f for f in os.listdir(work_dir) if f.endswith('.pth')),
                   key=lambda f: osp.getmtime(osp.join(work_dir, f)))
    listing = (f'the work dir holds {", ".join(found[-5:])} (newest last); '
               f'resume one with --resume {osp.join(work_dir, found[-1])}'
               if found else 'the work dir holds no .pth file: start without '
               '--resume, or name a checkpoint with --resume <file>')
    what = (f'names {named}, which does not exist' if named else
            'is empty (a write that was interrupted, or an edit)')
    raise InputError(
        f'--resume: the pointer {pointer} {what}; {listing}. (The pointer is '
        'a text file holding the path of the newest checkpoint; you can also '
        'write a path into it.)')


def check_resume(model, cfg, filename: str) -> None:
    """Everything ``--resume`` needs of a checkpoint, checked up front.

    Args:
        model (nn.Module): The runner's model.
        cfg (Config): The training config.
        filename (str): The checkpoint to resume.

    Raises:
        InputError: The file is damaged; its tensors differ from the model's
            (shapes or keys); it was trained as another model type; it holds
            non-finite values (model or optimizer state); or its run is
            already at the end of the config's schedule.
    """
    checkpoint = load_checkpoint_to_check(filename)
    mismatch = model_type_mismatch(cfg.model, checkpoint)
    if mismatch:
        raise InputError(
            f'--resume {filename}: the checkpoint was trained as another '
            f'model than the config builds: {mismatch}. --resume continues '
            'one run of one config; to initialise this model from another '
            '(an ANN twin, say), use --cfg-options load_from=<file>.')
    check_load_from_shapes(model, filename, allow_class_mismatch=False,
                           checkpoint=checkpoint, strict_keys=True)
    check_finite(checkpoint, filename, ('state_dict', 'optimizer'))
    _check_not_finished(cfg, checkpoint, filename)


def _validation_pending(checkpoint: dict) -> bool:
    """Whether ``checkpoint`` was written by a stop signal during a
    validation, which the resumed run runs first (see
    :class:`~mmsnn.engine.SafeEpochBasedTrainLoop`)."""
    hub = checkpoint.get('message_hub') or {}
    info = hub.get('runtime_info') if isinstance(hub, dict) else None
    record = (info or {}).get(INTERRUPTED_CKPT_KEY)
    return isinstance(record, dict) and bool(record.get('validate'))


def _check_not_finished(cfg, checkpoint: dict, filename: str) -> None:
    """Refuse to resume a run that the config's schedule has finished (and
    whose last validation is not still to run)."""
    if _validation_pending(checkpoint):
        return
    meta = checkpoint.get('meta') or {}
    train_cfg = cfg.get('train_cfg') or {}
    for unit, key in (('epoch', 'max_epochs'), ('iter', 'max_iters')):
        done, total = meta.get(unit), train_cfg.get(key)
        if isinstance(done, int) and isinstance(total, int) and \
                done >= total:
            name = 'epochs' if unit == 'epoch' else 'iterations'
            raise InputError(
                f'--resume {filename}: that run has already finished: it is '
                f'at {unit} {done} and the config trains {total} {name} '
                f'(train_cfg.{key}), so there is nothing left to train. To '
                f'train longer, extend the schedule (--cfg-options '
                f'train_cfg.{key}=<more>, and the param_scheduler\'s end / '
                'T_max with it); to start a new run from its weights, use '
                f'--cfg-options load_from={filename} without --resume; to '
                'evaluate it, use tools/test.py.')
