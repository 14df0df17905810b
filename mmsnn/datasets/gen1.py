"""Prophesee Gen1 Automotive as an mmdet data set: one sample per label."""
import glob
import json
import os
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.logging import print_log

from ..utils.input_error import ConfigValueError, InputError
from .gen1_protocol import (GEN1_CLASSES, MIN_BOX_DIAG, MIN_BOX_SIDE,
                            SKIP_FIRST_US, protocol_box_mask)
from .prophesee_io import (PropheseeDatFile, bad_boxes, describe_box,
                           load_prophesee_boxes)

EVENTS_SUFFIX, BOXES_SUFFIX = '_td.dat', '_bbox.npy'
#: Where the layout and the mini-Gen1 generator are described.
EVENTS_DOC = 'docs/events.md'
MINI_GEN1_COMMAND = 'python tools/misc/make_mini_gen1.py --out data/mini_gen1'
#: Where the real Gen1 config looks for the data set.
GEN1_CONFIG, GEN1_ROOT = 'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py', 'data/gen1'
#: Bump when the cached index's content changes (2: event order checked,
#: labels at exactly skip_first_us dropped; 3: bad boxes dropped one by one,
#: recordings without events skipped, events counted in each window).
INDEX_VERSION = 3
#: How many examples a warning lists.
_MAX_EXAMPLES = 5


class RecordingWithoutEvents(InputError):
    """A ``_td.dat`` recording that holds no event."""


#: What a missing data root should hold (first sentence of the hints).
_LAYOUT = ('it should hold the Gen1 layout: train/, val/ and test/ folders '
           'of NAME_td.dat recordings with NAME_bbox.npy beside each '
           f'({EVENTS_DOC}).')


@DATASETS.register_module()
class Gen1Dataset(BaseDetDataset):
    """Gen1 recordings (``NAME_td.dat`` beside ``NAME_bbox.npy``) in a folder.

    Each sample is one labelled timestamp ``t`` of a recording: the events
    of the window ``[t - window_us, t)`` (loaded lazily by
    ``LoadPropheseeEvents``) and the boxes labelled at ``t`` that pass the
    protocol filter (:func:`~.gen1_protocol.protocol_box_mask`; timestamps
    left without a box are not samples, as the protocol evaluates only
    those). Boxes are ``[x1, y1, x2, y2]`` in sensor pixels, unclipped.

    The index (timestamps, boxes and the number of events in each window,
    for every recording) is cached in ``cache_file`` and rebuilt when a
    file's size or time stamp, ``window_us`` or a filter setting changes.
    What cannot be used is left out with a warning naming each file:

    * whole recordings that cannot be read, that hold no event (also
      listed in ``self.without_events``), whose timestamps go backwards
      (which would mislead the binary search of every window) or none of
      whose labels is left (``self.skipped``: ``(file, why)``);
    * single boxes that are degenerate (width or height not positive or
      not finite) or lie wholly outside the sensor, counted per file; the
      recording's other boxes are kept (``self.dropped_boxes``: ``(box
      file, what, count, first row)``);
    * in training, labelled timestamps whose window holds no event (an
      empty recording start, labels after the last event): there is
      nothing to detect the labelled objects from, so they are not
      trained on (``filter_cfg=dict(filter_empty_window=False)`` keeps
      them). In ``test_mode`` they stay, as the protocol evaluates every
      labelled timestamp, and are counted in the log
      (``self.empty_windows``: their ``img_id``).

    Labelled timestamps before the first or after the last event of their
    recording are listed in ``self.outside_span`` (``(file, timestamps,
    (first, last event))``) for the data check
    (:func:`~mmsnn.datasets.data_check.check_gen1_dataset`), which names
    them.

    Args:
        data_root (str): The Gen1 root (holding ``train/``, ``val/``,
            ``test/``).
        data_prefix (dict): ``dict(events='train/')``: the split's folder.
        window_us (int): Events before each label, in microseconds (50-250
            ms in the literature). Defaults to 50000.
        min_box_diag, min_box_side (float): Protocol filter (px).
            Defaults to 30 and 10, the toolbox's Gen1 values.
        skip_first_us (int): Labels at or before this time (us since the
            recording's start) are not used, as the toolbox's
            ``filter_boxes`` drops ``t <= skip_ts``. Defaults to 100000,
            the value the toolbox's ``psee_evaluator.py`` passes
            (docs/events.md).
        check_event_order (bool): While indexing, stream each recording's
            timestamps once to make sure they never go backwards (cached
            with the index; on real Gen1 this reads every ``.dat`` once).
            False checks only around each window read. Defaults to True.
        cache_file (str | bool, optional): Index cache. None puts
            ``.mmsnn_gen1_index.json`` in the split folder (skipped with a
            warning where that is not writable); False disables it.
        **kwargs: :class:`BaseDetDataset` arguments (``pipeline``,
            ``test_mode``, ``metainfo``, ...).
    """

    METAINFO = dict(classes=GEN1_CLASSES,
                    palette=[(0, 160, 255), (255, 90, 0)])

    def __init__(self,
                 data_prefix: dict = dict(events='train/'),
                 window_us: int = 50_000,
                 min_box_diag: float = MIN_BOX_DIAG,
                 min_box_side: float = MIN_BOX_SIDE,
                 skip_first_us: int = SKIP_FIRST_US,
                 check_event_order: bool = True,
                 cache_file=None,
                 **kwargs) -> None:
        if not isinstance(window_us, int) or window_us <= 0:
            raise ConfigValueError(
                'Gen1Dataset: window_us must be a positive integer (micro'
                f'seconds of events before each label), got {window_us!r}')
        self.window_us = window_us
        self.filter_args = dict(min_box_diag=float(min_box_diag),
                                min_box_side=float(min_box_side),
                                skip_first_us=int(skip_first_us))
        self.check_event_order = bool(check_event_order)
        self.cache_file = cache_file
        self.skipped: List[Tuple[str, str]] = []
        self.without_events: List[str] = []
        self.dropped_boxes: List[Tuple[str, str, int, str]] = []
        self.outside_span: List[Tuple[str, List[int], Tuple[int, int]]] = []
        self.empty_windows: List[str] = []
        kwargs.setdefault('ann_file', '')
        super().__init__(data_prefix=data_prefix, **kwargs)

    @classmethod
    def missing_data_hint(cls, data_root: str) -> str:
        """What ``mmsnn.datasets.check_data`` says when ``data_root`` is
        missing: the Gen1 layout, where real Gen1 goes, and mini-Gen1.

        Args:
            data_root (str): The missing data root of the config.

        Returns:
            str: Sentences ending with a full stop.
        """
        root = data_root.rstrip('/')
        return (
            f'{_LAYOUT} For real Prophesee Gen1, unpack the archive so that '
            f'its train/, val/ and test/ folders sit under {root}/, or link '
            f'your copy there (ln -s /path/to/gen1 {root}). For the bundled '
            f'synthetic mini-Gen1 instead, run `{MINI_GEN1_COMMAND}` from '
            'the repository root and use the mini-Gen1 configs '
            '(configs/events/*minigen1*.py).')

    # Index --------------------------------------------------------------
    def _split_dir(self) -> str:
        folder = self.data_prefix.get('events')
        if folder is None:
            raise ConfigValueError(
                "Gen1Dataset: data_prefix needs an 'events' folder, e.g. "
                f"dict(events='train/'), got {self.data_prefix}")
        if not osp.isdir(folder):
            raise InputError(
                f'Gen1Dataset: {folder} is not a folder. Expected the Gen1 '
                'layout data_root/{train,val,test}/NAME_td.dat with '
                f'NAME_bbox.npy beside each ({EVENTS_DOC}).')
        return folder

    def _cache_path(self, folder: str) -> Optional[str]:
        if self.cache_file is False:
            return None
        return self.cache_file or osp.join(folder, '.mmsnn_gen1_index.json')

    def _index_recording(self, dat_path: str, num_classes: int) -> dict:
        """The labelled timestamps of one recording; InputError if unusable.

        Returns:
            dict: ``sensor_size``, ``span`` (first and last event, us),
            ``frames`` (``t``, ``bboxes``, ``labels`` and ``num_events``
            in the window of each labelled timestamp) and ``dropped`` (bad
            boxes left out: ``[what, count, first row]``).
        """
        box_path = dat_path[:-len(EVENTS_SUFFIX)] + BOXES_SUFFIX
        if not osp.isfile(box_path):
            raise InputError(f'no box file {osp.basename(box_path)} beside it')
        dat = PropheseeDatFile(dat_path)
        boxes = load_prophesee_boxes(box_path)
        if dat.sensor_size is None:
            raise InputError(f'{dat_path}: no "% Height" / "% Width" header '
                             'lines, so the sensor size is unknown')
        if dat.time_span is None:
            raise RecordingWithoutEvents(
                f'it holds no event (its {dat.offset} bytes are all header), '
                'so every window of it is empty')
        if self.check_event_order:
            dat.check_order()
        bad = boxes['class_id'] >= num_classes
        if bad.any():
            raise InputError(
                f'{box_path}: class_id {int(boxes["class_id"][bad][0])} is '
                f'not below the {num_classes} classes of the data set')
        dropped, keep = [], np.ones(len(boxes), bool)
        for what, _, mask in bad_boxes(boxes, dat.sensor_size):
            dropped.append([what, int(mask.sum()),
                            describe_box(boxes, int(np.flatnonzero(mask)[0]))])
            keep &= ~mask
        boxes = boxes[keep]
        boxes = boxes[protocol_box_mask(boxes['t'], boxes['w'], boxes['h'],
                                        **self.filter_args)]
        frames = []
        for t in np.unique(boxes['t']):
            b = boxes[boxes['t'] == t]
            lo, hi = dat.window_bounds(int(t) - self.window_us, int(t))
            frames.append(dict(
                t=int(t),
                bboxes=np.stack([b['x'], b['y'], b['x'] + b['w'],
                                 b['y'] + b['h']], 1).round(3).tolist(),
                labels=b['class_id'].astype(int).tolist(),
                num_events=hi - lo))
        if not frames:
            why = (f' ({sum(n for _, n, _ in dropped)} bad box(es) dropped '
                   'first)' if dropped else '')
            raise InputError('no labelled timestamp keeps a box after the '
                             f'protocol filter ({self.filter_args}){why}')
        return dict(sensor_size=list(dat.sensor_size),
                    span=list(dat.time_span), frames=frames, dropped=dropped)

    def _build_index(self, folder: str) -> dict:
        names = sorted(glob.glob(osp.join(folder, '*' + EVENTS_SUFFIX)))
        stamps = {osp.basename(p): _file_stamp(p) for p in names}
        key = dict(version=INDEX_VERSION, filter=self.filter_args,
                   window_us=self.window_us,
                   check_event_order=self.check_event_order,
                   classes=list(self.metainfo['classes']), files=stamps)
        cache = self._cache_path(folder)
        if cache and osp.isfile(cache):
            try:
                with open(cache) as f:
                    index = json.load(f)
                if index.get('key') == key:
                    return index
            except (OSError, ValueError):
                pass  # unreadable cache: rebuild it
        recordings, skipped, without_events = {}, [], []
        for path in names:
            try:
                recordings[osp.basename(path)] = self._index_recording(
                    path, len(self.metainfo['classes']))
            except InputError as e:
                skipped.append((osp.basename(path), str(e)))
                if isinstance(e, RecordingWithoutEvents):
                    without_events.append(osp.basename(path))
        index = dict(key=key, recordings=recordings, skipped=skipped,
                     without_events=without_events)
        if cache:
            try:
                tmp = f'{cache}.{os.getpid()}.tmp'
                with open(tmp, 'w') as f:
                    json.dump(index, f)
                os.replace(tmp, cache)
            except OSError as e:
                print_log(f'Gen1Dataset: cannot write the index cache {cache}'
                          f' ({e}); set cache_file to a writable path.',
                          'current', 30)
        return index

    def load_data_list(self) -> List[dict]:
        """One dict per labelled timestamp (see the class docstring)."""
        folder = self._split_dir()
        index = self._build_index(folder)
        self.skipped = [tuple(s) for s in index['skipped']]
        self.without_events = [osp.join(folder, name)
                               for name in index['without_events']]
        for name, why in self.skipped:
            print_log(f'Gen1Dataset: skipping {osp.join(folder, name)}: '
                      f'{why}', 'current', 30)
        self.dropped_boxes = [
            (name[:-len(EVENTS_SUFFIX)] + BOXES_SUFFIX, what, count, first)
            for name, rec in index['recordings'].items()
            for what, count, first in rec['dropped']
        ]
        if self.dropped_boxes:
            print_log(_dropped_boxes_message(folder, self.dropped_boxes),
                      'current', 30)
        data_list, self.outside_span = [], []
        for name, rec in index['recordings'].items():
            height, width = rec['sensor_size']
            path = osp.join(folder, name)
            recording = name[:-len(EVENTS_SUFFIX)]
            first, last = rec['span']
            outside = [f['t'] for f in rec['frames']
                       if not first <= f['t'] <= last]
            if outside:
                self.outside_span.append((path, outside, (first, last)))
            for frame in rec['frames']:
                data_list.append(dict(
                    img_id=f'{recording}@{frame["t"]}',
                    img_path=path,
                    events_path=path,
                    recording=recording,
                    timestamp=frame['t'],
                    window_us=self.window_us,
                    num_events=frame['num_events'],
                    events_span=tuple(rec['span']),
                    height=height,
                    width=width,
                    instances=[
                        dict(bbox=box, bbox_label=label, ignore_flag=0)
                        for box, label in zip(frame['bboxes'],
                                              frame['labels'])
                    ]))
        if not data_list:
            raise InputError(
                f'Gen1Dataset: no usable labelled timestamp in {folder} '
                f'({len(index["recordings"])} usable recordings, '
                f'{len(self.skipped)} skipped; see the warnings above). '
                'Expected NAME_td.dat with NAME_bbox.npy beside it '
                f'({EVENTS_DOC}); tools/misc/make_mini_gen1.py writes a '
                'small synthetic set.')
        return data_list

    def filter_data(self) -> List[dict]:
        """Leave out, in training, labelled timestamps whose window holds
        no event (see the class docstring), with a count in the log.

        Returns:
            list[dict]: The samples kept.
        """
        empty = [info for info in self.data_list if not info['num_events']]
        self.empty_windows = [info['img_id'] for info in empty]
        if not empty:
            return self.data_list
        folder = self.data_prefix.get('events')
        after = sum(info['timestamp'] > info['events_span'][1]
                    for info in empty)
        examples = ', '.join(self.empty_windows[:_MAX_EXAMPLES]) + (
            ', ...' if len(empty) > _MAX_EXAMPLES else '')
        what = (f'{len(empty)} of {len(self.data_list)} labelled timestamps '
                f'in {folder} have no event in their {self.window_us} us '
                f'window ({after} of them after their recording\'s last '
                f'event): {examples}')
        drop = (self.filter_cfg or {}).get('filter_empty_window', True)
        if self.test_mode or not drop:
            print_log(f'Gen1Dataset: {what}; they are kept (the model sees '
                      'an empty window there).', 'current', 30)
            return self.data_list
        kept = [info for info in self.data_list if info['num_events']]
        if not kept:
            raise InputError(
                f'Gen1Dataset: {what}, so nothing is left to train on. '
                'Check that the _td.dat files are the recordings their '
                '_bbox.npy labels belong to (python tools/train.py checks '
                f'the data first and names such files; {EVENTS_DOC}).')
        print_log(f'Gen1Dataset: {what}; they are not trained on, as there '
                  'is nothing to detect their objects from '
                  '(filter_cfg=dict(filter_empty_window=False) keeps them): '
                  f'{len(kept)} remain.', 'current', 30)
        return kept


def _dropped_boxes_message(folder: str,
                           dropped: List[Tuple[str, str, int, str]]) -> str:
    """The warning about bad boxes left out of their recordings."""
    total = sum(count for _, _, count, _ in dropped)
    files = sorted({name for name, _, _, _ in dropped})
    examples = '; '.join(f'{osp.join(folder, name)}: {count} {what}, the '
                         f'first at {first}'
                         for name, what, count, first in
                         dropped[:_MAX_EXAMPLES])
    more = (f'; and {len(dropped) - _MAX_EXAMPLES} more'
            if len(dropped) > _MAX_EXAMPLES else '')
    return (f'Gen1Dataset: left out {total} bad box(es) of {len(files)} '
            f'recording(s); the other boxes of those recordings are kept: '
            f'{examples}{more}.')


def _file_stamp(dat_path: str) -> list:
    """Size and mtime of a recording's two files (the cache key)."""
    box_path = dat_path[:-len(EVENTS_SUFFIX)] + BOXES_SUFFIX
    return [[os.stat(p).st_size, os.stat(p).st_mtime_ns]
            if osp.isfile(p) else None for p in (dat_path, box_path)]


@DATASETS.register_module()
class MiniGen1Dataset(Gen1Dataset):
    """:class:`Gen1Dataset` on the bundled synthetic mini-Gen1
    (``tools/misc/make_mini_gen1.py``), for the mini-Gen1 configs.

    It reads the data exactly as :class:`Gen1Dataset` does; only the hint
    for a missing ``data_root`` differs: the folder is generated, and real
    Gen1 belongs to another config and folder.
    """

    @classmethod
    def missing_data_hint(cls, data_root: str) -> str:
        """As :meth:`Gen1Dataset.missing_data_hint`, for mini-Gen1: how to
        generate it, and where real Gen1 goes instead."""
        root = data_root.rstrip('/')
        return (
            f'{_LAYOUT} It is the bundled synthetic mini-Gen1, which is '
            f'generated, not downloaded: run `{MINI_GEN1_COMMAND}` from the '
            f'repository root (about 50 s of CPU; --out {root} writes it '
            'where this config looks). For real Prophesee Gen1 use '
            f'{GEN1_CONFIG}, which reads it from {GEN1_ROOT}/ (unpack the '
            'archive so that its train/, val/ and test/ folders sit there, '
            f'or ln -s /path/to/gen1 {GEN1_ROOT}).')
