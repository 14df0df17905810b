"""Windows of unlabelled event recordings, for detection outside a data set.

:class:`~mmsnn.datasets.Gen1Dataset` cuts one window before each label;
a recording without labels (what a user has to detect objects in) is cut
into windows every ``every_us`` here, each described as the data set
describes a sample, so that the config's test pipeline reads it unchanged.
"""
import inspect
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import Config

from ..utils.config_tree import iter_dataset_cfgs, iter_transform_cfgs
from ..utils.input_error import InputError
from .prophesee_io import PropheseeDatFile
from .transforms.loading import LoadPropheseeEvents

#: Event recordings a folder is searched for.
EVENT_SUFFIX = '.dat'


def takes_events(cfg: Config, loader: str = 'test_dataloader') -> bool:
    """Whether a config's model reads event recordings: the pipeline of
    ``loader`` holds a :class:`LoadPropheseeEvents` (by type)."""
    return next(iter_transform_cfgs(cfg, LoadPropheseeEvents, (loader, ),
                                    top_level=False), None) is not None


def config_window_us(cfg: Config, loader: str = 'test_dataloader') -> int:
    """The length of the windows the config's model sees (us): the
    ``window_us`` of ``loader``'s ``LoadPropheseeEvents`` if set, else of
    its data set (else :class:`~mmsnn.datasets.Gen1Dataset`'s default)."""
    from mmdet.registry import DATASETS
    for transform in iter_transform_cfgs(cfg, LoadPropheseeEvents,
                                         (loader, ), top_level=False):
        if transform.get('window_us'):
            return int(transform['window_us'])
    dataset = (cfg.get(loader) or {}).get('dataset') or {}
    for _, leaf in iter_dataset_cfgs(dataset, loader):
        if leaf.get('window_us'):
            return int(leaf['window_us'])
        kind = leaf.get('type')
        kind = DATASETS.get(kind) if isinstance(kind, str) else kind
        if isinstance(kind, type):
            param = inspect.signature(kind).parameters.get('window_us')
            if param is not None and param.default is not param.empty:
                return int(param.default)
    raise InputError(f'{loader}.dataset of the config sets no window_us '
                     '(microseconds of events before each detection).')


def event_recordings(path: str) -> List[str]:
    """The event recordings a path names: a ``.dat`` file, or every
    ``.dat`` file of a folder (sorted).

    Raises:
        InputError: The path does not exist, is not a ``.dat`` file, or is
            a folder without one.
    """
    if osp.isdir(path):
        files = sorted(osp.join(path, name) for name in os.listdir(path)
                       if name.endswith(EVENT_SUFFIX))
        if not files:
            raise InputError(
                f'Folder {path} holds no event recording (*{EVENT_SUFFIX}, '
                'a Prophesee recording such as Gen1\'s NAME_td.dat).')
        return files
    if not osp.isfile(path):
        raise InputError(f'Event recording {path} (absolute: '
                         f'{osp.abspath(path)}) does not exist.')
    if not path.endswith(EVENT_SUFFIX):
        raise InputError(
            f'{path} is not an event recording: the config reads Prophesee '
            f'recordings (*{EVENT_SUFFIX}, e.g. Gen1\'s NAME_td.dat), given '
            'as a file or a folder of them.')
    return [path]


def recording_windows(path: str,
                      window_us: int,
                      every_us: Optional[int] = None) -> List[dict]:
    """The windows of a recording to detect objects in, as data infos.

    Windows end every ``every_us`` from ``window_us`` on (the first whole
    window) until the last event has been in one; each holds the
    ``window_us`` before its end. The infos carry what
    ``LoadPropheseeEvents`` and ``PackEventDetInputs`` read
    (``events_path``, ``timestamp``, ``window_us``, ``height``,
    ``width``, ``img_id`` ``RECORDING@TIMESTAMP``, ...) and no
    instances.

    Args:
        path (str): A ``.dat`` recording.
        window_us (int): Length of a window (us).
        every_us (int, optional): From one window's end to the next (us).
            Defaults to ``window_us`` (windows side by side).

    Returns:
        list[dict]: One info per window, in time order.

    Raises:
        InputError: The file cannot be read as a recording, has no sensor
            size in its header, or holds no event.
    """
    every_us = every_us or window_us
    dat = PropheseeDatFile(path)
    if dat.sensor_size is None:
        raise InputError(f'{path}: no "% Height" / "% Width" header lines, '
                         'so the sensor size is unknown.')
    if dat.time_span is None:
        raise InputError(f'{path}: the recording holds no event.')
    height, width = dat.sensor_size
    name = osp.basename(path)[:-len(EVENT_SUFFIX)]
    infos, end = [], window_us
    while end - window_us <= dat.time_span[1]:
        infos.append(
            dict(img_id=f'{name}@{end}', img_path=path, events_path=path,
                 recording=name, timestamp=end, window_us=window_us,
                 height=height, width=width, instances=[]))
        end += every_us
    return infos
