"""Gen1Dataset: samples are labelled timestamps, the protocol filter, the
cached index, and skipped recordings named with their reason."""
import json

import pytest
from mmengine.registry import init_default_scope

import mmsnn  # noqa: F401
from mmsnn.datasets import Gen1Dataset
from mmsnn.utils import InputError
from tests.test_datasets.gen1_files import (OLD_BOX_DTYPE, random_events,
                                            write_boxes, write_dat)


def _split(root):
    """Two good recordings, one without boxes, one truncated, one whose
    boxes are all filtered out."""
    split = root / 'train'
    split.mkdir(parents=True)
    write_dat(split / 'a_td.dat', random_events(300, seed=1))
    write_boxes(split / 'a_bbox.npy', [
        (50_000, 10., 10., 40., 40., 0, 0, 1.),  # first 0.1 s: dropped
        (200_000, 10., 10., 40., 40., 0, 0, 1.),
        (200_000, 100., 50., 8., 60., 1, 1, 1.),  # side 8 < 10: dropped
        (200_000, 150., 60., 12., 40., 1, 2, 1.),
        (400_000, 20., 20., 15., 15., 0, 0, 1.),  # diagonal 21 < 30
        (600_000, 30., 30., 50., 20., 0, 0, 1.),
    ])
    write_dat(split / 'b_td.dat', random_events(300, seed=2))
    write_boxes(split / 'b_bbox.npy', [(300_000, 5., 5., 30., 30., 1, 0, 1.)],
                OLD_BOX_DTYPE)
    write_dat(split / 'nobox_td.dat', random_events(10))
    write_dat(split / 'broken_td.dat', random_events(10))
    with open(split / 'broken_td.dat', 'ab') as f:
        f.write(b'xyz')
    write_boxes(split / 'broken_bbox.npy', [(300_000, 5., 5., 30., 30., 1, 0,
                                             1.)])
    write_dat(split / 'small_td.dat', random_events(10))
    write_boxes(split / 'small_bbox.npy', [(300_000, 5., 5., 3., 3., 1, 0,
                                            1.)])
    return split


def _build(root, **kwargs):
    init_default_scope('mmdet')
    return Gen1Dataset(data_root=str(root), data_prefix=dict(events='train/'),
                       window_us=50_000, pipeline=[], **kwargs)


def test_samples_are_the_filtered_labelled_timestamps(tmp_path):
    _split(tmp_path)
    ds = _build(tmp_path)
    samples = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(s['recording'], s['timestamp']) for s in samples] == [
        ('a', 200_000), ('a', 600_000), ('b', 300_000)]
    first = samples[0]
    assert [i['bbox'] for i in first['instances']] == [[10, 10, 50, 50],
                                                       [150, 60, 162, 100]]
    assert [i['bbox_label'] for i in first['instances']] == [0, 1]
    assert (first['height'], first['width']) == (240, 304)
    assert first['window_us'] == 50_000
    assert first['events_path'].endswith('train/a_td.dat')


def test_skipped_files_are_named_with_why(tmp_path):
    _split(tmp_path)
    ds = _build(tmp_path)
    why = dict(ds.skipped)
    assert set(why) == {'nobox_td.dat', 'broken_td.dat', 'small_td.dat'}
    assert 'no box file nobox_bbox.npy' in why['nobox_td.dat']
    assert 'not a multiple' in why['broken_td.dat']
    assert 'broken_td.dat' in why['broken_td.dat']
    assert 'protocol filter' in why['small_td.dat']


def test_index_is_cached_and_rebuilt_when_a_file_changes(tmp_path,
                                                        monkeypatch):
    split = _split(tmp_path)
    ds = _build(tmp_path)
    cache = split / '.mmsnn_gen1_index.json'
    assert cache.is_file() and len(ds) == 3
    # A second build reads the cache and opens no recording.
    calls = []
    original = Gen1Dataset._index_recording
    monkeypatch.setattr(Gen1Dataset, '_index_recording',
                        lambda self, *a: calls.append(a) or original(self,
                                                                     *a))
    assert len(_build(tmp_path)) == 3 and calls == []
    # A changed box file invalidates it.
    write_boxes(split / 'b_bbox.npy', [(300_000, 5., 5., 30., 30., 1, 0, 1.),
                                       (350_000, 5., 5., 30., 30., 1, 0, 1.)])
    assert len(_build(tmp_path)) == 4 and calls
    assert json.loads(cache.read_text())['key']['files']
    # So does another filter setting.
    assert len(_build(tmp_path, skip_first_us=0)) == 5


def test_missing_split_folder_and_empty_split(tmp_path):
    with pytest.raises(InputError, match='is not a folder'):
        _build(tmp_path)
    (tmp_path / 'train').mkdir()
    with pytest.raises(InputError, match='no usable labelled timestamp'):
        _build(tmp_path, cache_file=False)


def _backwards_split(root):
    """One recording whose timestamps go back once, before the window of
    its label: a binary search for that window misses 110 and 120 ms."""
    split = root / 'train'
    split.mkdir(parents=True)
    t = [110_000, 120_000, 90_000, 130_000, 140_000]
    write_dat(split / 'r_td.dat', [(ti, 1, 1, 1) for ti in t])
    write_boxes(split / 'r_bbox.npy', [(150_000, 10., 10., 50., 40., 0, 0,
                                        1.)])
    return split


def test_timestamps_going_backwards_skip_the_recording(tmp_path):
    _backwards_split(tmp_path)
    with pytest.raises(InputError, match='1 skipped'):
        _build(tmp_path, cache_file=False)
    # Named with the file and where, as the other bad files.
    ds = _build(tmp_path, cache_file=False, lazy_init=True)
    with pytest.raises(InputError):
        ds.full_init()
    (name, why), = ds.skipped
    assert name == 'r_td.dat' and 'r_td.dat' in why
    assert 'backwards at event 2 (120000 us, then 90000 us)' in why


def test_event_order_check_can_be_left_to_the_windows(tmp_path):
    split = _backwards_split(tmp_path)
    ds = _build(tmp_path, check_event_order=False)
    assert len(ds) == 1 and ds.skipped == []
    # The cached index says it was not checked: checking rebuilds it.
    index = json.loads((split / '.mmsnn_gen1_index.json').read_text())
    assert index['key']['check_event_order'] is False
    with pytest.raises(InputError, match='1 skipped'):
        _build(tmp_path)


def test_mini_gen1_hint_generates_it_and_sends_real_gen1_elsewhere():
    from mmsnn.datasets import MiniGen1Dataset
    hint = MiniGen1Dataset.missing_data_hint('data/mini_gen1/')
    assert '`python tools/misc/make_mini_gen1.py --out data/mini_gen1`' \
        in hint
    assert 'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py' in hint
    assert 'data/gen1/' in hint and 'ln -s /path/to/gen1 data/gen1' in hint
    assert 'under data/mini_gen1' not in hint
    assert 'ln -s /path/to/gen1 data/mini_gen1' not in hint
    # Real Gen1's hint keeps its own root.
    hint = Gen1Dataset.missing_data_hint('/mnt/gen1/')
    assert 'under /mnt/gen1/' in hint and 'make_mini_gen1.py' in hint


def test_protocol_skips_as_the_toolbox_filter_boxes():
    from mmsnn.datasets import SKIP_FIRST_US, protocol_box_mask

    # The toolbox keeps ts > skip_ts: a label at exactly 0.1 s is dropped.
    t = [SKIP_FIRST_US, SKIP_FIRST_US + 1, 500_000, 500_001]
    assert protocol_box_mask(t, [40] * 4, [40] * 4).tolist() == [
        False, True, True, True]
    assert protocol_box_mask(t, [40] * 4, [40] * 4,
                             skip_first_us=500_000).tolist() == [
                                 False, False, False, True]


def _logged(monkeypatch):
    from mmsnn.datasets import gen1
    logged = []
    monkeypatch.setattr(gen1, 'print_log',
                        lambda msg, *args, **kwargs: logged.append(msg))
    return logged


def test_one_box_outside_the_sensor_drops_only_itself(tmp_path,
                                                      monkeypatch):
    split = tmp_path / 'train'
    split.mkdir()
    write_dat(split / 'r_td.dat', random_events(300, seed=1))
    good = [(200_000, 10. + 40 * i, 10., 35., 35., i % 2, i, 1.)
            for i in range(5)]
    write_boxes(split / 'r_bbox.npy',
                good[:3] + [(200_000, 400., 10., 40., 40., 0, 9, 1.)] +
                good[3:])
    logged = _logged(monkeypatch)
    ds = _build(tmp_path, cache_file=False)
    assert len(ds) == 1 and ds.skipped == []
    boxes = [i['bbox'] for i in ds.get_data_info(0)['instances']]
    assert boxes == [[x, y, x + w, y + h] for _, x, y, w, h, *_ in good]
    (name, what, count, first), = ds.dropped_boxes
    assert (name, count) == ('r_bbox.npy', 1)
    assert 'outside the 304x240 sensor' in what and 'row 3' in first
    msg = '\n'.join(logged)
    assert 'left out 1 bad box(es) of 1 recording(s)' in msg
    assert str(split / 'r_bbox.npy') in msg and 'x=400.0' in msg


def test_degenerate_boxes_are_dropped_one_by_one(tmp_path):
    split = tmp_path / 'train'
    split.mkdir()
    write_dat(split / 'r_td.dat', random_events(300, seed=1))
    write_boxes(split / 'r_bbox.npy', [
        (200_000, 10., 10., 40., 40., 0, 0, 1.),
        (200_000, 60., 10., 0., 40., 0, 1, 1.),
        (300_000, 60., 10., 40., float('nan'), 1, 2, 1.)])
    ds = _build(tmp_path, cache_file=False)
    assert len(ds) == 1
    assert [(n, c) for n, _, c, _ in ds.dropped_boxes] == [('r_bbox.npy', 2)]


def _recording_with_gaps(split):
    """Events only from 0 to 120 ms and from 400 to 500 ms; labels at 110
    ms (inside), 300 ms (an empty window), 460 ms (inside) and 900 ms (after
    the last event)."""
    write_dat(split / 'g_td.dat',
              [(t, 5, 5, 1) for t in range(0, 120_000, 1000)] +
              [(t, 5, 5, 1) for t in range(400_000, 500_000, 1000)])
    write_boxes(split / 'g_bbox.npy', [
        (t, 10., 10., 40., 40., 0, 0, 1.)
        for t in (110_000, 300_000, 460_000, 900_000)])


def test_windows_without_events_are_counted_and_not_trained_on(
        tmp_path, monkeypatch):
    split = tmp_path / 'train'
    split.mkdir()
    _recording_with_gaps(split)
    logged = _logged(monkeypatch)
    ds = _build(tmp_path, cache_file=False)
    assert [ds.get_data_info(i)['timestamp'] for i in range(len(ds))] == [
        110_000, 460_000]
    assert ds.empty_windows == ['g@300000', 'g@900000']
    msg = '\n'.join(logged)
    assert ('2 of 4 labelled timestamps in ' in msg
            and 'have no event in their 50000 us window (1 of them after '
            "their recording's last event): g@300000, g@900000" in msg)
    assert 'not trained on' in msg and '2 remain' in msg
    # The protocol evaluates every label: kept in test mode, and on request.
    for kwargs in (dict(test_mode=True),
                   dict(filter_cfg=dict(filter_empty_window=False))):
        ds = _build(tmp_path, cache_file=False, **kwargs)
        assert len(ds) == 4 and len(ds.empty_windows) == 2
    # The labels outside the events' time span, for the data check.
    (path, outside, span), = ds.outside_span
    assert path.endswith('g_td.dat') and outside == [900_000]
    assert span == (0, 499_000)


def test_window_size_is_part_of_the_cached_index(tmp_path):
    split = tmp_path / 'train'
    split.mkdir()
    _recording_with_gaps(split)
    assert len(_build(tmp_path)) == 2
    # 300 ms with a 250 ms window reaches the events before 120 ms.
    init_default_scope('mmdet')
    ds = Gen1Dataset(data_root=str(tmp_path),
                     data_prefix=dict(events='train/'), window_us=250_000,
                     pipeline=[])
    assert [ds.get_data_info(i)['timestamp'] for i in range(len(ds))] == [
        110_000, 300_000, 460_000]


def test_recording_without_events_is_skipped_and_named(tmp_path):
    split = tmp_path / 'train'
    split.mkdir()
    write_dat(split / 'a_td.dat', random_events(300, seed=1))
    write_boxes(split / 'a_bbox.npy', [(200_000, 10., 10., 40., 40., 0, 0,
                                        1.)])
    write_dat(split / 'e_td.dat', [])
    write_boxes(split / 'e_bbox.npy', [(200_000, 10., 10., 40., 40., 0, 0,
                                        1.)])
    ds = _build(tmp_path, cache_file=False)
    assert len(ds) == 1 and ds.get_data_info(0)['recording'] == 'a'
    assert 'holds no event' in dict(ds.skipped)['e_td.dat']
    assert ds.without_events == [str(split / 'e_td.dat')]


def test_split_of_empty_windows_only_is_refused_in_training(tmp_path):
    split = tmp_path / 'train'
    split.mkdir()
    write_dat(split / 'late_td.dat', [(t, 5, 5, 1) for t in range(0, 9000,
                                                                    100)])
    write_boxes(split / 'late_bbox.npy', [(200_000, 10., 10., 40., 40., 0,
                                           0, 1.)])
    with pytest.raises(InputError) as e:
        _build(tmp_path, cache_file=False)
    msg = str(e.value)
    assert str(split) in msg and 'late@200000' in msg
    assert 'nothing is left to train on' in msg
