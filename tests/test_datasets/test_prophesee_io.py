"""Reading Gen1 files: exact round trips and one clear error per bad input."""
import numpy as np
import pytest

from mmsnn.datasets import (PropheseeDatFile, read_prophesee_boxes,
                            read_prophesee_dat, write_prophesee_dat)
from mmsnn.utils import InputError
from tests.test_datasets.gen1_files import (HEADER, NEW_BOX_DTYPE,
                                            OLD_BOX_DTYPE, PACKED_BOX_DTYPE,
                                            random_events, write_boxes,
                                            write_dat)

# Extreme values of each field (after random_events' times): 14-bit x, y
# limits, both polarities, the largest uint32 timestamp.
EDGE_EVENTS = [(10**6, 0, 0, 0), (10**6 + 1, 16383, 0, 1),
               (10**6 + 2, 0, 16383, 0), (4294967295, 16383, 16383, 1)]


@pytest.mark.parametrize('header', [True, False])
def test_round_trip_is_exact(tmp_path, header):
    events = random_events(500) + EDGE_EVENTS
    path = tmp_path / 'rec_td.dat'
    write_dat(path, events, header=HEADER if header else b'')
    got, size = read_prophesee_dat(str(path))
    assert size == ((240, 304) if header else None)
    assert [tuple(int(v) for v in e) for e in got] == events
    assert got.dtype.names == ('t', 'x', 'y', 'p')


def test_window_reads_only_its_events_from_a_memory_map(tmp_path):
    events = random_events(2000, t_max=500_000)
    path = tmp_path / 'rec_td.dat'
    write_dat(path, events)
    dat = PropheseeDatFile(str(path))
    assert isinstance(dat._raw, np.memmap)  # mapped, not loaded
    got, _ = read_prophesee_dat(str(path), 100_000, 150_000)
    expected = [e for e in events if 100_000 <= e[0] < 150_000]
    assert [tuple(int(v) for v in e) for e in got] == expected


def test_mmsnn_writer_matches_the_hand_written_layout(tmp_path):
    events = random_events(50)
    write_dat(tmp_path / 'a_td.dat', events,
              header=HEADER.replace(b'2019-05-01 10:00:00',
                                    b'2019-01-01 00:00:00'))
    arr = np.array(events, dtype=[('t', '<i8'), ('x', '<u2'), ('y', '<u2'),
                                  ('p', 'u1')])
    write_prophesee_dat(str(tmp_path / 'b_td.dat'), arr, 240, 304)
    a = (tmp_path / 'a_td.dat').read_bytes()
    b = (tmp_path / 'b_td.dat').read_bytes()
    # Same records; headers differ only in their first line's wording.
    assert a[-400:] == b[-400:]
    assert read_prophesee_dat(str(tmp_path / 'b_td.dat'))[0].tolist() == \
        read_prophesee_dat(str(tmp_path / 'a_td.dat'))[0].tolist()


@pytest.mark.parametrize('dtype',
                         [NEW_BOX_DTYPE, OLD_BOX_DTYPE, PACKED_BOX_DTYPE])
def test_both_box_dtypes_load_as_the_new_one(tmp_path, dtype):
    rows = [(200_000, 10.5, 20., 30., 40., 1, 7, 0.9),
            (100_000, 1., 2., 50., 60., 0, 3, 1.0)]
    write_boxes(tmp_path / 'r_bbox.npy', rows, dtype)
    boxes = read_prophesee_boxes(str(tmp_path / 'r_bbox.npy'), (240, 304))
    assert boxes.dtype == NEW_BOX_DTYPE and boxes.dtype.itemsize == 40
    assert boxes['t'].tolist() == [100_000, 200_000]  # sorted by time
    assert boxes['class_confidence'].tolist() == pytest.approx([1.0, 0.9])
    assert boxes['x'].tolist() == [1., 10.5]


def _error(fn, *args):
    with pytest.raises(InputError) as e:
        fn(*args)
    return str(e.value)


def test_unterminated_header(tmp_path):
    path = tmp_path / 'r_td.dat'
    path.write_bytes(HEADER)  # no type/size bytes, no records
    msg = _error(read_prophesee_dat, str(path))
    assert str(path) in msg and 'header is not terminated' in msg
    path.write_bytes(HEADER + b'% Width 3')  # a header line without an end
    msg = _error(read_prophesee_dat, str(path))
    assert str(path) in msg and 'not terminated' in msg


def test_event_size_other_than_8(tmp_path):
    path = tmp_path / 'r_td.dat'
    write_dat(path, random_events(4), type_size=b'\x00\x0c')
    msg = _error(read_prophesee_dat, str(path))
    assert str(path) in msg and '12 bytes' in msg and '8' in msg


def test_data_length_not_a_multiple_of_8(tmp_path):
    path = tmp_path / 'r_td.dat'
    write_dat(path, random_events(3))
    with open(path, 'ab') as f:
        f.write(b'\x01\x02\x03')
    msg = _error(read_prophesee_dat, str(path))
    assert str(path) in msg and '27 bytes' in msg and '3 bytes left over' \
        in msg


def test_timestamps_going_backwards(tmp_path):
    path = tmp_path / 'r_td.dat'
    write_dat(path, [(10, 1, 1, 1), (20, 2, 2, 0), (15, 3, 3, 1)])
    msg = _error(read_prophesee_dat, str(path))
    assert str(path) in msg and 'backwards at event 2' in msg
    assert '20 us, then 15 us' in msg
    msg = _error(PropheseeDatFile(str(path)).check_order)
    assert 'backwards at event 2' in msg


@pytest.mark.parametrize('row,problem', [
    ((100_000, 10., 10., 0., 5., 0, 0, 1.), 'degenerate'),
    ((100_000, 10., 10., 5., -1., 0, 0, 1.), 'degenerate'),
    ((100_000, np.nan, 10., 5., 5., 0, 0, 1.), 'degenerate'),
    ((100_000, 400., 10., 5., 5., 0, 0, 1.), 'outside the 304x240 sensor'),
    ((100_000, 10., -50., 5., 20., 0, 0, 1.), 'outside the 304x240 sensor'),
])
def test_bad_boxes(tmp_path, row, problem):
    path = tmp_path / 'r_bbox.npy'
    write_boxes(path, [(100_000, 1., 1., 20., 20., 0, 0, 1.), row])
    msg = _error(read_prophesee_boxes, str(path), (240, 304))
    assert str(path) in msg and problem in msg and 'row 1' in msg


def test_box_file_with_wrong_fields(tmp_path):
    path = tmp_path / 'r_bbox.npy'
    np.save(path, np.zeros(3, [('t', '<i8'), ('x', '<f4')]))
    msg = _error(read_prophesee_boxes, str(path))
    assert str(path) in msg and 'missing' in msg and "'w'" in msg
