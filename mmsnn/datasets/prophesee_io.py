"""Reading Prophesee's Gen1 files: ``*_td.dat`` events, ``*_bbox.npy`` boxes.

The layout (Prophesee's public automotive data set toolbox):

* ``.dat``: optional text header lines, each starting with ``% `` (``% Height
  240``, ``% Width 304``, ...); after a header, one byte event type (0 = 2D
  events) and one byte event size (8); then little-endian records of a
  ``uint32`` timestamp (microseconds) and an ``int32`` packing
  ``x`` (bits 0-13), ``y`` (bits 14-27) and polarity ``p`` (bit 28). A file
  without header lines starts directly with records.
* ``_bbox.npy``: a structured array ``t <i8, x <f4, y <f4, w <f4, h <f4,
  class_id <u4, track_id <u4, class_confidence <f4``; older files call
  ``t`` ``ts`` and ``class_confidence`` ``confidence``. ``x, y`` is the
  top-left corner; boxes sharing a timestamp form one labelled frame.

:class:`PropheseeDatFile` memory-maps the records, so a multi-GB recording
is never loaded whole: a time window is found by binary search on the
timestamps and only its records are decoded.
"""
import bisect
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..utils.input_error import InputError

#: Raw record layout of a 2D event in a ``.dat`` file.
RAW_EVENT_DTYPE = np.dtype([('t', '<u4'), ('v', '<i4')])
#: Decoded events: timestamp (us), pixel column, pixel row, polarity (1 ON).
EVENT_DTYPE = np.dtype([('t', '<i8'), ('x', '<u2'), ('y', '<u2'),
                        ('p', 'u1')])
#: The box dtype of current Gen1 files (aligned: itemsize 40, 4 bytes of
#: padding at the end).
BOX_DTYPE = np.dtype([('t', '<i8'), ('x', '<f4'), ('y', '<f4'), ('w', '<f4'),
                      ('h', '<f4'), ('class_id', '<u4'),
                      ('track_id', '<u4'), ('class_confidence', '<f4')],
                     align=True)
#: Field names of older box files and their current names.
OLD_BOX_FIELDS = {'ts': 't', 'confidence': 'class_confidence'}

X_MASK, Y_MASK, P_MASK = 0x3FFF, 0xFFFC000, 0x10000000
Y_SHIFT, P_SHIFT = 14, 28
EVENT_TYPE_2D, EVENT_SIZE = 0, 8
#: Largest header this reader accepts (real headers are a few hundred bytes).
MAX_HEADER_BYTES = 1 << 20


def decode_events(raw: np.ndarray) -> np.ndarray:
    """Unpack raw records into :data:`EVENT_DTYPE`.

    Args:
        raw (np.ndarray): Records of :data:`RAW_EVENT_DTYPE`, shape ``[N]``.

    Returns:
        np.ndarray: Shape ``[N]``, fields ``t, x, y, p``.
    """
    out = np.empty(len(raw), EVENT_DTYPE)
    v = raw['v']
    out['t'] = raw['t']
    out['x'] = v & X_MASK
    out['y'] = (v & Y_MASK) >> Y_SHIFT
    out['p'] = (v & P_MASK) >> P_SHIFT
    return out


def encode_events(events: np.ndarray) -> np.ndarray:
    """Pack events with fields ``t, x, y, p`` into raw records (writing)."""
    raw = np.empty(len(events), RAW_EVENT_DTYPE)
    raw['t'] = events['t']
    raw['v'] = (events['x'].astype('<i4') |
                (events['y'].astype('<i4') << Y_SHIFT) |
                ((events['p'] > 0).astype('<i4') << P_SHIFT))
    return raw


def write_prophesee_dat(path: str, events: np.ndarray, height: int,
                        width: int, header: bool = True) -> None:
    """Write events as a Gen1 ``.dat`` file (used by the mini data set).

    Args:
        path (str): Output file.
        events (np.ndarray): Fields ``t, x, y, p``, sorted by ``t``.
        height, width (int): Sensor size written into the header.
        header (bool): Write the text header and the type/size bytes.
            Defaults to True.
    """
    with open(path, 'wb') as f:
        if header:
            f.write(b'% Data file containing Event2D events.\n% Version 2\n'
                    b'% Date 2019-01-01 00:00:00\n')
            f.write(f'% Height {height}\n% Width {width}\n'.encode())
            f.write(bytes([EVENT_TYPE_2D, EVENT_SIZE]))
        encode_events(events).tofile(f)


def parse_dat_header(path: str) -> Tuple[int, Dict[str, str]]:
    """Read a ``.dat`` header.

    Args:
        path (str): The ``.dat`` file.

    Returns:
        tuple: ``(offset of the first record, header fields)``; the fields
        map the first word after ``% `` to the rest of the line
        (``{'Height': '240', 'Width': '304', ...}``).

    Raises:
        InputError: If the header never ends, or announces events that are
            not 8-byte 2D events.
    """
    fields: Dict[str, str] = {}
    with open(path, 'rb') as f:
        n_lines = 0
        while True:
            start = f.tell()
            line = f.readline()
            if not line.startswith(b'% '):
                break
            if not line.endswith(b'\n') or start > MAX_HEADER_BYTES:
                raise InputError(
                    f'{path}: the text header is not terminated (it runs to '
                    f'byte {f.tell()} of the file without a line that does '
                    "not start with '% ' followed by the event type and "
                    'size bytes): the file is truncated or not a Prophesee '
                    '.dat recording.')
            words = line[2:].decode('latin-1').split(None, 1)
            if words:
                fields[words[0]] = words[1].strip() if len(words) > 1 else ''
            n_lines += 1
        if n_lines == 0:  # no header: records from byte 0
            return 0, fields
        f.seek(start)
        type_size = f.read(2)
        if len(type_size) < 2:
            raise InputError(
                f'{path}: the text header is not terminated: it ends at byte '
                f'{start} without the event type and event size bytes that '
                'must follow it.')
        ev_type, ev_size = type_size[0], type_size[1]
        if ev_size != EVENT_SIZE:
            raise InputError(
                f'{path}: the header says events are {ev_size} bytes, but '
                f'Gen1 2D events are {EVENT_SIZE} bytes (uint32 timestamp + '
                'int32 x/y/p); this reader handles only those.')
        if ev_type != EVENT_TYPE_2D:
            raise InputError(
                f'{path}: the header says event type {ev_type}; only type '
                f'{EVENT_TYPE_2D} (2D events, CD/TD) is supported.')
        return start + 2, fields


def _header_int(fields: Dict[str, str], key: str, path: str) -> Optional[int]:
    if key not in fields:
        return None
    try:
        return int(fields[key].split()[0])
    except (ValueError, IndexError):
        raise InputError(f'{path}: header line "% {key} {fields[key]}" '
                         'should hold an integer.') from None


class PropheseeDatFile:
    """A memory-mapped Gen1 ``.dat`` recording.

    Opening reads only the header; records are mapped, not loaded, so
    :meth:`window` costs a binary search and the window's own records.

    Args:
        path (str): The ``*_td.dat`` file.
        sensor_size (tuple[int, int], optional): ``(height, width)`` to use
            when the header does not give it (files without a header).

    Attributes:
        sensor_size (tuple[int, int] | None): ``(height, width)``.
        num_events (int): Number of records.
    """

    def __init__(self, path: str,
                 sensor_size: Optional[Tuple[int, int]] = None) -> None:
        if not osp.isfile(path):
            raise InputError(f'{path}: no such event file (expected a '
                             'Prophesee *_td.dat recording).')
        self.path = path
        self.offset, self.header = parse_dat_header(path)
        height = _header_int(self.header, 'Height', path)
        width = _header_int(self.header, 'Width', path)
        self.sensor_size = (height, width) if height and width \
            else (tuple(sensor_size) if sensor_size else None)
        n_bytes = os.path.getsize(path) - self.offset
        if n_bytes % EVENT_SIZE:
            raise InputError(
                f'{path}: its {n_bytes} bytes of event data (after a '
                f'{self.offset}-byte header) are not a multiple of the '
                f'{EVENT_SIZE}-byte event size ({n_bytes % EVENT_SIZE} bytes '
                'left over): the file is truncated or corrupt.')
        self.num_events = n_bytes // EVENT_SIZE
        self._raw = np.memmap(path, RAW_EVENT_DTYPE, mode='r',
                              offset=self.offset, shape=(self.num_events, )) \
            if self.num_events else np.empty(0, RAW_EVENT_DTYPE)

    def _check_order(self, t: np.ndarray, first: int) -> None:
        back = np.flatnonzero(t[1:] < t[:-1])
        if len(back):
            i = first + int(back[0]) + 1
            raise InputError(
                f'{self.path}: timestamps go backwards at event {i} '
                f'({int(t[i - first - 1])} us, then {int(t[i - first])} us); '
                'Gen1 recordings are sorted by time.')

    def read(self, start: int = 0, stop: Optional[int] = None,
             check_order: bool = True) -> np.ndarray:
        """Decode records ``start:stop``.

        Args:
            start, stop (int): Record indices. ``stop=None`` reads to the end.
            check_order (bool): Raise if timestamps decrease. Defaults to
                True.

        Returns:
            np.ndarray: :data:`EVENT_DTYPE`, shape ``[stop - start]``.
        """
        raw = np.asarray(self._raw[start:stop])
        if check_order:
            self._check_order(raw['t'], start)
        return decode_events(raw)

    def check_order(self, chunk: int = 1 << 22) -> None:
        """Raise if timestamps decrease anywhere.

        Streams the timestamps in chunks (32 MB of records each), so it
        reads the whole file once but never holds it in memory.

        Args:
            chunk (int): Records per chunk. Defaults to 2**22.

        Raises:
            InputError: Naming the file and the first event whose
                timestamp is below its predecessor's.
        """
        last = None
        for start in range(0, self.num_events, chunk):
            t = np.asarray(self._raw['t'][start:start + chunk])
            if last is not None and len(t) and t[0] < last:
                raise InputError(
                    f'{self.path}: timestamps go backwards at event {start} '
                    f'({int(last)} us, then {int(t[0])} us); Gen1 '
                    'recordings are sorted by time.')
            self._check_order(t, start)
            last = t[-1] if len(t) else last

    def window(self, t_start: int, t_end: int) -> np.ndarray:
        """Events with ``t_start <= t < t_end`` (microseconds).

        The binary search is right only on sorted timestamps. The window's
        own records are checked, but a disorder outside it can make the
        search miss some of its events unnoticed (the search still sees
        order around its answer); :meth:`check_order` rules that out, and
        ``Gen1Dataset`` runs it once per recording when indexing.

        Args:
            t_start, t_end (int): The window (us).

        Returns:
            np.ndarray: :data:`EVENT_DTYPE`, shape ``[N]``.

        Raises:
            InputError: Timestamps go backwards inside the window.
        """
        return self.read(*self.window_bounds(t_start, t_end))

    def window_bounds(self, t_start: int, t_end: int) -> Tuple[int, int]:
        """Record indices ``(lo, hi)`` of the events with ``t_start <= t <
        t_end`` (us), by binary search (sorted timestamps assumed, see
        :meth:`window`); ``hi - lo`` counts them without decoding any."""
        # bisect touches ~log2(N) records; np.searchsorted would copy the
        # strided timestamp column of the whole file first.
        t = self._raw['t']
        lo = bisect.bisect_left(t, max(t_start, 0))
        return lo, bisect.bisect_left(t, max(t_end, 0), lo)

    @property
    def duration(self) -> int:
        """Timestamp of the last event (us), 0 when empty."""
        return int(self._raw['t'][-1]) if self.num_events else 0

    @property
    def time_span(self) -> Optional[Tuple[int, int]]:
        """Timestamps of the first and the last event (us), None when the
        recording holds no event."""
        if not self.num_events:
            return None
        return int(self._raw['t'][0]), int(self._raw['t'][-1])


def read_prophesee_dat(
        path: str,
        t_start: Optional[int] = None,
        t_end: Optional[int] = None
) -> Tuple[np.ndarray, Optional[Tuple[int, int]]]:
    """Read the events of a ``.dat`` file, or of one time window of it.

    The file is memory-mapped: with ``t_start``/``t_end`` only that window is
    read, whatever the file's size.

    Args:
        path (str): The ``*_td.dat`` file.
        t_start, t_end (int, optional): Keep ``t_start <= t < t_end`` (us).
            None reads from the start / to the end.

    Returns:
        tuple: ``(events, sensor_size)``: :data:`EVENT_DTYPE` array with
        fields ``t, x, y, p``, and ``(height, width)`` from the header (None
        without one).

    Raises:
        InputError: Unterminated header, event size other than 8, data
            length not a multiple of 8 bytes, timestamps going backwards.
    """
    dat = PropheseeDatFile(path)
    if t_start is None and t_end is None:
        events = dat.read()
    else:
        events = dat.window(0 if t_start is None else t_start,
                            np.iinfo(np.int64).max if t_end is None else t_end)
    return events, dat.sensor_size


def describe_box(boxes: np.ndarray, row: int) -> str:
    """``row i (t=..., x=..., y=..., w=..., h=...)`` of a box array."""
    b = boxes[row]
    return (f'row {row} (t={b["t"]}, x={b["x"]}, y={b["y"]}, w={b["w"]}, '
            f'h={b["h"]})')


def bad_boxes(boxes: np.ndarray,
              sensor_size: Optional[Tuple[int, int]] = None
              ) -> List[Tuple[str, str, np.ndarray]]:
    """The boxes no detector can learn from, by kind.

    Args:
        boxes (np.ndarray): :data:`BOX_DTYPE`, shape ``[N]``.
        sensor_size (tuple[int, int], optional): ``(height, width)``; when
            given, boxes lying wholly outside the sensor are bad too (boxes
            that overlap its edge are not).

    Returns:
        list[tuple[str, str, np.ndarray]]: ``(what, rule, mask)`` for each
        kind with at least one bad box: what they are (``'degenerate
        box(es)'``), the rule they break, and their bool mask ``[N]``. A
        box is counted under the first kind it falls in.
    """
    degenerate = ~(np.isfinite(boxes['w']) & np.isfinite(boxes['h']) &
                   np.isfinite(boxes['x']) & np.isfinite(boxes['y']) &
                   (boxes['w'] > 0) & (boxes['h'] > 0))
    kinds = [('degenerate box(es)',
              'width and height must be positive and finite', degenerate)]
    if sensor_size is not None:
        height, width = sensor_size
        with np.errstate(invalid='ignore'):
            outside = ((boxes['x'] >= width) | (boxes['y'] >= height) |
                       (boxes['x'] + boxes['w'] <= 0) |
                       (boxes['y'] + boxes['h'] <= 0)) & ~degenerate
        kinds.append((f'box(es) outside the {width}x{height} sensor',
                      'a box must overlap the sensor', outside))
    return [(what, rule, mask) for what, rule, mask in kinds if mask.any()]


def load_prophesee_boxes(path: str) -> np.ndarray:
    """Load a Gen1 ``_bbox.npy`` file in either dtype version, every row
    in the file's order (so that row numbers in messages are the file's).

    Only the file's structure is checked; :func:`bad_boxes` finds the
    boxes that cannot be learned from (:func:`read_prophesee_boxes` refuses
    them, :class:`~mmsnn.datasets.Gen1Dataset` drops them with a count).

    Args:
        path (str): The ``*_bbox.npy`` file.

    Returns:
        np.ndarray: :data:`BOX_DTYPE`, shape ``[N]``.

    Raises:
        InputError: Unreadable file or missing fields.
    """
    try:
        boxes = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise InputError(f'{path}: cannot read it as a .npy box array ({e}).'
                         ) from None
    names = boxes.dtype.names or ()
    renamed = {OLD_BOX_FIELDS.get(n, n): n for n in names}
    missing = [n for n in BOX_DTYPE.names if n not in renamed]
    if boxes.ndim != 1 or missing:
        raise InputError(
            f'{path}: expected a 1-D structured array with fields '
            f'{BOX_DTYPE.names} (or the older ts/confidence names), got '
            f'dtype {boxes.dtype} of shape {boxes.shape}' +
            (f' (missing {missing})' if missing else '') + '.')
    out = np.zeros(len(boxes), BOX_DTYPE)
    for name in BOX_DTYPE.names:
        out[name] = boxes[renamed[name]]
    return out


def read_prophesee_boxes(path: str,
                         sensor_size: Optional[Tuple[int, int]] = None
                         ) -> np.ndarray:
    """Load a Gen1 ``_bbox.npy`` file, refusing any bad box.

    Args:
        path (str): The ``*_bbox.npy`` file.
        sensor_size (tuple[int, int], optional): ``(height, width)``; when
            given, a box that lies wholly outside the sensor is an error
            (boxes that overlap its edge are kept).

    Returns:
        np.ndarray: :data:`BOX_DTYPE`, shape ``[N]``, sorted by ``t``.

    Raises:
        InputError: Unreadable file, missing fields, degenerate boxes (width
            or height not positive, or not finite) or boxes outside the
            sensor, naming the file, how many and the first.
    """
    boxes = load_prophesee_boxes(path)
    for what, rule, mask in bad_boxes(boxes, sensor_size):
        raise InputError(
            f'{path}: {int(mask.sum())} {what}, the first at '
            f'{describe_box(boxes, int(np.flatnonzero(mask)[0]))}; {rule}.')
    return boxes[np.argsort(boxes['t'], kind='stable')]
