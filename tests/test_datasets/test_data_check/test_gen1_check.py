"""mmsnn.datasets.data_check.gen1_check: recordings without events and
labels outside their recording's events are named before training."""
import warnings

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsnn.datasets import check_data
from mmsnn.utils import InputError
from tests.test_datasets.gen1_files import (random_events, write_boxes,
                                            write_dat)


def gen1_cfg(root):
    """Train and val loaders on the train/ and val/ folders of ``root``."""
    init_default_scope('mmdet')
    split = dict(type='Gen1Dataset', data_root=str(root), pipeline=[])
    return Config(dict(
        train_dataloader=dict(dataset=dict(split,
                                           data_prefix=dict(events='train/'))),
        val_dataloader=dict(dataset=dict(split, test_mode=True,
                                         data_prefix=dict(events='val/')))))


def write_split(folder, damaged):
    folder.mkdir(parents=True)
    write_dat(folder / 'good_td.dat', random_events(300, seed=1))
    write_boxes(folder / 'good_bbox.npy', [
        (200_000, 10., 10., 40., 40., 0, 0, 1.)])
    if damaged:
        write_dat(folder / 'empty_td.dat', [])
        write_boxes(folder / 'empty_bbox.npy', [
            (200_000, 10., 10., 40., 40., 0, 0, 1.)])
        write_dat(folder / 'short_td.dat',
                  [(t, 5, 5, 1) for t in range(0, 300_000, 1000)])
        write_boxes(folder / 'short_bbox.npy', [
            (t, 10., 10., 40., 40., 0, 0, 1.)
            for t in (200_000, 700_000, 800_000)])


def check(cfg):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        check_data(cfg, ['train_dataloader', 'val_dataloader'])
    return [str(w.message) for w in caught]


def test_recordings_without_events_and_labels_after_them_are_named(
        tmp_path):
    write_split(tmp_path / 'train', damaged=False)
    write_split(tmp_path / 'val', damaged=True)
    messages = check(gen1_cfg(tmp_path))
    msg, = [m for m in messages if 'val_dataloader.dataset' in m]
    assert '1 recording(s) hold no event' in msg
    assert str(tmp_path / 'val' / 'empty_td.dat') in msg
    assert ("2 labelled timestamp(s) of 1 recording(s) lie outside the time "
            "span of their recording's events") in msg
    assert (str(tmp_path / 'val' / 'short_td.dat') +
            ' (t=700000 us and 1 more; events from 0 to 299000 us)') in msg
    assert ('2 labelled timestamp(s) have no event in their 50000 us '
            'window and are kept and evaluated as empty windows: '
            'short@700000, short@800000') in msg
    # The train split is clean: nothing said about it; its index is cached
    # for the training to come.
    assert not [m for m in messages if 'train_dataloader' in m]
    assert (tmp_path / 'train' / '.mmsnn_gen1_index.json').is_file()


def test_train_split_says_empty_windows_are_not_trained_on(tmp_path):
    write_split(tmp_path / 'train', damaged=True)
    write_split(tmp_path / 'val', damaged=False)
    msg, = check(gen1_cfg(tmp_path))
    assert msg.startswith(f'train_dataloader.dataset ({tmp_path}/train/)')
    assert 'window and are not trained on: short@700000' in msg


def test_missing_split_folder_is_one_paragraph(tmp_path):
    write_split(tmp_path / 'train', damaged=False)
    with pytest.raises(InputError) as e:
        check(gen1_cfg(tmp_path))
    assert f'{tmp_path}/val/ is not a folder' in str(e.value)
