"""Gen1 files written byte by byte in the tests, independent of mmsnn's
writer: the record layout of Prophesee's format, packed with struct."""
import struct

import numpy as np

# Gen1's box files: aligned structured arrays (itemsize 40); older files
# name t 'ts' and class_confidence 'confidence'.
BOX_FIELDS = [('t', '<i8'), ('x', '<f4'), ('y', '<f4'), ('w', '<f4'),
              ('h', '<f4'), ('class_id', '<u4'), ('track_id', '<u4'),
              ('class_confidence', '<f4')]
NEW_BOX_DTYPE = np.dtype(BOX_FIELDS, align=True)
OLD_BOX_DTYPE = np.dtype([({'t': 'ts', 'class_confidence': 'confidence'}
                           .get(n, n), f) for n, f in BOX_FIELDS], align=True)
PACKED_BOX_DTYPE = np.dtype(BOX_FIELDS)  # itemsize 36
HEADER = (b'% Data file containing Event2D events.\n% Version 2\n'
          b'% Date 2019-05-01 10:00:00\n% Height 240\n% Width 304\n')


def record(t, x, y, p):
    """One 8-byte event: uint32 t, int32 x | y << 14 | p << 28."""
    return struct.pack('<Ii', t, x | (y << 14) | (p << 28))


def write_dat(path, events, header=HEADER, type_size=b'\x00\x08'):
    """events: iterable of (t, x, y, p)."""
    with open(path, 'wb') as f:
        if header:
            f.write(header + type_size)
        for ev in events:
            f.write(record(*ev))


def write_boxes(path, rows, dtype=NEW_BOX_DTYPE):
    """rows: (t, x, y, w, h, class_id, track_id, confidence)."""
    np.save(path, np.array(rows, dtype=dtype))


def random_events(n, seed=0, t_max=1_000_000, height=240, width=304):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(0, t_max, n))
    return [(int(t[i]), int(rng.integers(0, width)),
             int(rng.integers(0, height)), int(rng.integers(0, 2)))
            for i in range(n)]
