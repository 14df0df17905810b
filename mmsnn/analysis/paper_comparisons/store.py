"""The comparisons' runs as tasks whose results are stored with the
settings that define them, and reused while those are unchanged."""
import argparse
import json
import os
import os.path as osp
from typing import Dict, Optional, Tuple

from .presets import VARIANTS
from .runs import sg_slug


def sg_tasks(args: argparse.Namespace) -> Dict[str, Tuple[str, int]]:
    """Task name -> (label, seed) of every SG run, in VARIANTS' order.

    Args:
        args (argparse.Namespace): The comparison's settings (``seeds``,
            ``threshold_seeds``).

    Returns:
        dict[str, tuple[str, int]]: The SG runs.
    """
    return {sg_slug(label, seed): (label, seed)
            for label in VARIANTS
            for seed in (args.threshold_seeds if
                         VARIANTS[label].get('learnable_threshold') else
                         args.seeds)}


def task_settings(args: argparse.Namespace, task: str) -> dict:
    """What defines a run's result: a stored result is reused only when
    these are unchanged (the ANN checkpoint by path, size and mtime).

    Args:
        args (argparse.Namespace): The comparison's settings.
        task (str): ``'ann'``, ``'conversion'`` or an SG run's name.

    Returns:
        dict: JSON-ready settings.
    """
    ckpt = args.ann_checkpoint
    stat = os.stat(ckpt) if osp.isfile(ckpt) else None
    out = dict(task=task, ann_config=args.ann_config, ann_checkpoint=ckpt,
               ann_checkpoint_file=(stat.st_size, stat.st_mtime_ns)
               if stat else None, cfg_options=args.cfg_options,
               data_root=args.data_root, smoke=args.smoke,
               energy_images=args.energy_images)
    if task == 'conversion':
        out.update(steps=args.conversion_steps, calib=args.calib_images)
    elif task != 'ann':
        out.update(snn_config=args.snn_config, epochs=args.epochs)
    return json.loads(json.dumps(out, default=str))


def result_path(args: argparse.Namespace, task: str) -> str:
    """Where ``task``'s result is stored: ``WORK_DIR/runs/<task>.json``."""
    return osp.join(args.work_dir, 'runs', f'{task}.json')


def stored_result(args: argparse.Namespace, task: str) -> Optional[dict]:
    """The stored result of ``task``, or None when missing or stale.

    Args:
        args (argparse.Namespace): The comparison's settings.
        task (str): The task.

    Returns:
        dict or None: The result.
    """
    try:
        with open(result_path(args, task)) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        return None
    if stored.get('settings') != task_settings(args, task):
        return None
    return stored['result']


def store_result(args: argparse.Namespace, task: str, result: dict) -> None:
    """Store ``task``'s result with its settings (written to a temporary
    file, then renamed: an interrupted write leaves no result).

    Args:
        args (argparse.Namespace): The comparison's settings.
        task (str): The task.
        result (dict): Its result.
    """
    path = result_path(args, task)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(dict(settings=task_settings(args, task), result=result),
                  f, indent=2, default=float)
    os.replace(path + '.tmp', path)


def task_cost(task: str, args: argparse.Namespace) -> float:
    """A task's relative cost, to start the longest runs first.

    Args:
        task (str): ``'conversion'`` or an SG run's name.
        args (argparse.Namespace): The comparison's settings.

    Returns:
        float: The conversion first, then the SG runs by their T.
    """
    if task == 'conversion':
        return 1e9
    return VARIANTS[sg_tasks(args)[task][0]]['time_steps']
