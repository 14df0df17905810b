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
