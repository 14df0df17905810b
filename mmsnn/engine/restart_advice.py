"""What a stopped training prints about going on: whole commands to paste.

Each command is the run's own command line
(:func:`mmsnn.utils.tool_command.tool_command`) with options appended
(``--cfg-options`` given twice adds up, a later ``--resume`` wins) and the
options it replaces dropped, on a line of its own.
"""
import os.path as osp
from typing import List, Optional, Sequence

from mmsnn.utils.tool_command import (drop_options, format_command,
                                      python_command)

#: The options of tools/train.py that a restart replaces (value: whether
#: they take one; None: an optional one).
_RESTART_OPTIONS = {'--resume': None, '--reset-lr': False}

#: Gradient clipping as a restart turns it on.
CLIP_GRAD = 'optim_wrapper.clip_grad=dict(max_norm=10)'


def batch_files(data_batch: Optional[dict], limit: int) -> str:
    """The files of a data batch (``img_path`` of its samples, with the
    sample id where that is not the file's name, as for event windows),
    up to ``limit`` of them, for a message; '' if unknown."""
    samples = (data_batch or {}).get('data_samples') or []
    names = []
    for sample in samples:
        meta = getattr(sample, 'metainfo', None) or {}
        path, sample_id = meta.get('img_path'), meta.get('img_id')
        if path is None:
            continue
        stem = osp.splitext(osp.basename(str(path)))[0]
        names.append(str(path) if sample_id in (None, stem) else
                     f'{path} ({sample_id})')
    more = f' and {len(names) - limit} more' if len(names) > limit else ''
    return ', '.join(names[:limit]) + more


def _base_command(runner, command: Optional[Sequence[str]]) -> List[str]:
    """The run's command without the options a restart replaces."""
    if command:
        return drop_options(command, _RESTART_OPTIONS)
    return [python_command(), 'tools/train.py',
            getattr(runner.cfg, 'filename', None) or 'CONFIG',
            '--work-dir', runner.work_dir]


def _lower_lr(runner) -> Optional[str]:
    """A tenth of the config's learning rate, as ``%g`` text; None where the
    config has no single ``optim_wrapper.optimizer.lr``."""
    optimizer = (runner.cfg.get('optim_wrapper', None) or {}).get(
        'optimizer', None) or {}
    lr = optimizer.get('lr') if isinstance(optimizer, dict) else None
    if not isinstance(lr, (int, float)) or not lr > 0:
        return None
    return f'{lr / 10:g}'


def _clips_already(runner) -> bool:
    optim_wrapper = runner.cfg.get('optim_wrapper', None) or {}
    return bool(optim_wrapper.get('clip_grad', None))


def _line(command: List[str]) -> str:
    return '\n    ' + format_command(command)


def restart_advice(runner, last: Optional[str],
                   command: Optional[Sequence[str]], cause: str) -> str:
    """How to go on after training stopped on non-finite numbers.

    Args:
        runner (Runner): The stopped run.
        last (str, optional): Its last good checkpoint; None if none was
            saved.
        command (Sequence[str], optional): The command line of the run;
            None: ``python tools/train.py CONFIG --work-dir WORK_DIR``.
        cause (str): ``'diverged'`` (a non-finite loss or weights: a
            learning rate too high) or ``'gradient'`` (a non-finite gradient
            with a finite loss: the batch's data or huge weights).

    Returns:
        str: Sentences with one command a line (indented), each of which
        runs as printed.
    """
    base = _base_command(runner, command)
    lower = _lower_lr(runner)
    resume = ['--resume', last] if last else []
    recipes = []
    if lower:
        recipes.append(
            ('at a tenth of the learning rate' +
             (' (--reset-lr makes it replace the one stored in the '
              'checkpoint)' if last else ''),
             base + resume + (['--reset-lr'] if last else []) +
             ['--cfg-options', f'optim_wrapper.optimizer.lr={lower}']))
    if not _clips_already(runner):
        recipes.append(('with gradient clipping',
                        base + resume + ['--cfg-options', CLIP_GRAD]))
    if last and lower:
        work_dir = runner.work_dir.rstrip('/')
        stem = osp.splitext(osp.basename(last))[0]
        recipes.append(
            ('as a new schedule from its weights, in a new work dir',
             drop_options(base, {'--work-dir': True}) +
             ['--work-dir', f'{work_dir}_from_{stem}', '--cfg-options',
              f'load_from={last}', f'optim_wrapper.optimizer.lr={lower}']))
    advice = (f'The last good checkpoint is {last}.' if last else
              'No checkpoint was saved before.')
    if recipes:
        advice += (' Go on from it ' if last else ' Start again ') + \
            '\nor '.join(f'{what}:{_line(cmd)}' for what, cmd in recipes)
    if cause == 'diverged':
        return advice
    return (
        'A gradient that is not finite while the loss is comes from the '
        'backward pass of this batch: from its data (a batch with nothing '
        'in it, such as blank images or event windows without events, can '
        'do this, whatever the learning rate) or from weights that a '
        'learning rate too high has made huge. If these files are at '
        'fault, take them out of the data, then ' +
        ('go on from the last good checkpoint:' if last else
         'start again:') + _line(base + resume) +
        '\nIf they are not: ' + advice)
