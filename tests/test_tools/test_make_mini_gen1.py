"""tools/misc/make_mini_gen1.py: deterministic Gen1-format data that the
readers and the data set accept."""
import hashlib
import os
import os.path as osp

import numpy as np

from mmsnn.datasets import (protocol_box_mask, read_prophesee_boxes,
                            read_prophesee_dat)
from tests.test_tools.script_loader import load_script


def load_generator():
    return load_script('misc', 'make_mini_gen1.py')


def tiny_gen1_config(tmp_path,
                     base='configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'):
    """A tiny mini-Gen1 in ``tmp_path/data`` and ``tmp_path/cfg.py``, a
    config of ``base`` whose test split reads it; returns the config path."""
    from tests.conftest import repo_path
    root = tmp_path / 'data'
    load_generator().make_mini_gen1(str(root), 'tiny')
    config = tmp_path / 'cfg.py'
    config.write_text(
        f"_base_ = '{repo_path(base)}'\n"
        f"test_dataloader = dict(dataset=dict(data_root='{root}/'))\n")
    return config


gen = load_generator()


def _digest(root):
    digest = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            digest.update(name.encode())
            with open(osp.join(folder, name), 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


def test_two_runs_give_identical_bytes_and_seeds_differ(tmp_path):
    gen.make_mini_gen1(str(tmp_path / 'a'), 'tiny')
    gen.make_mini_gen1(str(tmp_path / 'b'), 'tiny')
    gen.make_mini_gen1(str(tmp_path / 'c'), 'tiny', seed=1)
    assert _digest(tmp_path / 'a') == _digest(tmp_path / 'b')
    assert _digest(tmp_path / 'a') != _digest(tmp_path / 'c')
    assert gen.is_current(str(tmp_path / 'a'), 'tiny')
    assert not gen.is_current(str(tmp_path / 'a'), 'default')


def test_files_are_gen1_events_of_moving_objects(tmp_path):
    gen.make_mini_gen1(str(tmp_path), 'tiny')
    for split in gen.SPLITS:
        base = tmp_path / split / f'mini_gen1_{split}_0'
        events, size = read_prophesee_dat(f'{base}_td.dat')
        boxes = read_prophesee_boxes(f'{base}_bbox.npy', size)
        assert size == (240, 304)
        assert (np.diff(events['t'].astype(np.int64)) >= 0).all()
        assert set(np.unique(events['p'])) == {0, 1}
        assert boxes.dtype.itemsize == 40
        assert protocol_box_mask(boxes['t'], boxes['w'], boxes['h']).any()
        assert set(boxes['class_id']) <= {0, 1}
        # Objects' edges emit far more events than the background and
        # noise: the boxes' pixels (a minority of the sensor) hold a
        # larger share of the last label's window than of the sensor.
        t = boxes['t'].max()
        win = events[(events['t'] >= t - 50_000) & (events['t'] < t)]
        inside = np.zeros(len(win), bool)
        area = np.zeros((240, 304), bool)
        for b in boxes[boxes['t'] == t]:
            x0, y0 = max(int(b['x']), 0), max(int(b['y']), 0)
            x1, y1 = int(b['x'] + b['w']) + 1, int(b['y'] + b['h']) + 1
            area[y0:y1, x0:x1] = True
        inside = area[win['y'], win['x']]
        assert inside.mean() > 1.5 * area.mean()


def test_rewriting_a_folder_leaves_no_recording_of_the_earlier_run(
        tmp_path):
    out = tmp_path / 'data'
    gen.make_mini_gen1(str(out), 'tiny')
    # What a larger earlier run leaves: more recordings per split; and
    # files that are not the generator's, which must stay.
    for split in gen.SPLITS:
        for suffix in ('_td.dat', '_bbox.npy'):
            (out / split / f'mini_gen1_{split}_7{suffix}').write_bytes(b'x')
    (out / 'train' / 'mine_td.dat').write_bytes(b'keep')
    (out / 'train' / 'mini_gen1_train_notes.txt').write_bytes(b'keep')
    gen.make_mini_gen1(str(out), 'tiny')
    gen.make_mini_gen1(str(tmp_path / 'fresh'), 'tiny')
    # (unlink fails if the generator deleted them)
    (out / 'train' / 'mine_td.dat').unlink()
    (out / 'train' / 'mini_gen1_train_notes.txt').unlink()
    assert _digest(out) == _digest(tmp_path / 'fresh')
    assert gen.is_current(str(out), 'tiny')
