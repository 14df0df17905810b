"""tools/analysis_tools/browse_events.py: pictures of event samples (the
colours themselves: tests/test_visualization)."""
import sys

import numpy as np
import pytest
from PIL import Image

from mmsnn.utils import InputError
from tests.test_tools.script_loader import load_script
from tests.test_tools.test_make_mini_gen1 import tiny_gen1_config

tool = load_script('analysis_tools', 'browse_events.py')


def test_strip_and_gif_of_a_sample(tmp_path, monkeypatch):
    config = tiny_gen1_config(tmp_path)
    out = tmp_path / 'out'
    monkeypatch.setattr(sys, 'argv', ['browse_events.py', str(config),
                                      '--indices', '2', '--out-dir',
                                      str(out)])
    tool.main()
    strips = list(out.glob('*_strip.png'))
    gifs = list(out.glob('*.gif'))
    assert len(strips) == 1 and len(gifs) == 1
    strip = np.asarray(Image.open(strips[0]))
    # The window and T=4 bins side by side at zoom 2 (192x152 frames).
    assert strip.shape[:2] == (2 * 152, 5 * 2 * 192)
    gif = Image.open(gifs[0])
    assert gif.n_frames == 4
    # Ground-truth boxes are drawn in green somewhere.
    assert _green(strip).any()


def _green(strip):
    """Where the ground-truth green is drawn in a BGR strip."""
    return (strip[..., 1] > 150) & (strip[..., 0] < 60) & (strip[..., 2] < 60)


def _run(monkeypatch, *args):
    monkeypatch.setattr(sys, 'argv', ['browse_events.py', *map(str, args)])
    tool.main()


def test_train_split_draws_the_ground_truth_where_the_test_split_does(
        tmp_path, monkeypatch):
    # The train pipeline loads the boxes before the resize, the test one
    # after it; on the same sample, unflipped, both must draw them alike.
    config = tiny_gen1_config(tmp_path)
    root = tmp_path / 'data'
    _run(monkeypatch, config, '--split', 'test', '--out-dir',
         tmp_path / 'test')
    _run(monkeypatch, config, '--split', 'train', '--out-dir',
         tmp_path / 'train', '--cfg-options',
         f'train_dataloader.dataset.data_root={root}/',
         'train_dataloader.dataset.data_prefix.events=test/',
         'train_dataloader.dataset.pipeline.3.prob=0.0')
    strips = [np.asarray(Image.open(next((tmp_path / s).glob('*_strip.png'))))
              for s in ('test', 'train')]
    green = [_green(s) for s in strips]
    assert green[0].sum() > 100
    # Boxes clipped to the frame in training may differ by a few pixels.
    assert (green[0] & green[1]).sum() > 0.9 * green[0].sum()


def test_index_out_of_range_is_one_clear_error(tmp_path, monkeypatch):
    config = tiny_gen1_config(tmp_path)
    with pytest.raises(InputError) as e:
        _run(monkeypatch, config, '--indices', '0', '999', '--out-dir',
             tmp_path / 'out')
    msg = str(e.value)
    assert msg.startswith('--indices 999: the test split of')
    assert 'between 0 and' in msg


def test_missing_checkpoint_is_reported_before_building_anything(
        tmp_path, monkeypatch):
    from mmdet.registry import DATASETS, MODELS

    def fail(*args, **kwargs):
        raise AssertionError('built before the checkpoint was checked')

    monkeypatch.setattr(MODELS, 'build', fail)
    monkeypatch.setattr(DATASETS, 'build', fail)
    missing = tmp_path / 'nope.pth'
    with pytest.raises(InputError, match=f'--checkpoint file {missing} '
                       '.*does not exist'):
        _run(monkeypatch, tiny_gen1_config(tmp_path), '--checkpoint',
             missing)
