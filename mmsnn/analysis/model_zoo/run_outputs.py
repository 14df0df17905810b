"""Reading the files a model-zoo run leaves behind: which files a run names,
its metrics and its training time."""
import datetime
import json
import os.path as osp
import re
from typing import Dict, List, Sequence

from ...utils.input_error import InputError

#: ``KEY=VALUE`` keys of a run: the config (required), the metrics JSON of
#: ``tools/test.py`` (or a training log), ``get_energy.py``'s energy.json,
#: the training's text log, and the row's label, data set label and note.
RUN_KEYS = ('config', 'metrics', 'energy', 'train_log', 'name', 'dataset',
            'note')
#: Metric keys of the evaluators (mmdet's and Gen1Metric), in order of
#: preference.
MAP_KEYS = ('pascal_voc/mAP', 'gen1/mAP', 'coco/bbox_mAP_50')
#: mmengine's file log stamps each line ``2026/12/01 10:25:06 - mmengine``.
LOG_STAMP = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - ')


def parse_run(items: Sequence[str]) -> Dict[str, str]:
    """``['config=a.py', 'energy=e.json']`` -> ``{'config': 'a.py', ...}``.

    Args:
        items (Sequence[str]): ``KEY=VALUE`` strings, keys of
            :data:`RUN_KEYS`.

    Returns:
        dict: The run's files and labels.

    Raises:
        InputError: A malformed item, an unknown key, no config, or a file
            that does not exist.
    """
    run = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or key not in RUN_KEYS:
            raise InputError(f'--run: expected KEY=VALUE with KEY one of '
                             f'{RUN_KEYS}, got {item!r}')
        run[key] = value
    if 'config' not in run:
        raise InputError(
            f'--run {" ".join(items)}: config=... is required')
    for key in ('config', 'metrics', 'energy', 'train_log'):
        if key in run and not osp.isfile(run[key]):
            raise InputError(f'--run {key}={run[key]}: no such file')
    return run


def read_metrics(path: str) -> dict:
    """The metrics of a test JSON (one object, as ``tools/test.py`` writes
    it) or the last validation line of a training JSON log (one object per
    line).

    Args:
        path (str): The JSON file.

    Returns:
        dict: The metrics, holding one of :data:`MAP_KEYS`; a training
        log's line also holds its ``step``.

    Raises:
        InputError: A line is not JSON, or nothing holds a mAP.
    """
    with open(path) as f:
        text = f.read()
    try:  # one object (tools/test.py), however it is laid out
        records: List[dict] = [json.loads(text)]
    except json.JSONDecodeError:
        records = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise InputError(f'{path}, line {n}: not JSON ({e})') from e
    found = [r for r in records
             if isinstance(r, dict) and any(k in r for k in MAP_KEYS)]
    if not found:
        raise InputError(f'{path}: no line holds any of {MAP_KEYS}; pass '
                         'the test JSON of tools/test.py or a log with '
                         'validation results')
    return found[-1]


def train_seconds(path: str) -> float:
    """Wall time of a training run from its mmengine text log: its first
    stamped line to its last.

    Args:
        path (str): ``<work_dir>/<timestamp>/<timestamp>.log``.

    Returns:
        float: Seconds.

    Raises:
        InputError: Fewer than two stamped lines.
    """
    stamps = []
    with open(path, errors='replace') as f:
        for line in f:
            match = LOG_STAMP.match(line)
            if match:
                stamps.append(match.group(1))
    if len(stamps) < 2:
        raise InputError(f'{path}: fewer than two lines stamped like '
                         '"2026/12/01 10:25:06 - mmengine"; pass the text '
                         'log of a training run (<work_dir>/<timestamp>/'
                         '<timestamp>.log)')
    first, last = (datetime.datetime.strptime(s, '%Y/%m/%d %H:%M:%S')
                   for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds()
