"""tools/analysis_tools/browse_events.py: pictures of event samples (the
colours themselves: tests/test_visualization)."""
import numpy as np
from PIL import Image

from tests.test_tools.test_make_mini_gen1 import tiny_gen1_config
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'analysis_tools/browse_events.py'


def _run(tmp_path, *args):
    result = run_tool(TOOL, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_strip_and_gif_of_a_sample(tmp_path):
    config = tiny_gen1_config(tmp_path)
    out = tmp_path / 'out'
    result = _run(tmp_path, config, '--indices', '2', '--out-dir', out)
    strips = list(out.glob('*_strip.png'))
    gifs = list(out.glob('*.gif'))
    assert len(strips) == 1 and len(gifs) == 1
    assert f'strip: {strips[0]}' in result.stdout
    assert 'ground-truth boxes' in result.stdout
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


def test_train_split_draws_the_ground_truth_where_the_test_split_does(
        tmp_path):
    # The train pipeline loads the boxes before the resize, the test one
    # after it; on the same sample, unflipped, both must draw them alike.
    config = tiny_gen1_config(tmp_path)
    root = tmp_path / 'data'
    _run(tmp_path, config, '--split', 'test', '--out-dir', tmp_path / 'test')
    _run(tmp_path, config, '--split', 'train', '--out-dir',
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


def test_index_out_of_range_is_one_clear_error(tmp_path):
    config = tiny_gen1_config(tmp_path)
    result = run_tool(TOOL, config, '--indices', '0', '999', '--out-dir',
                      tmp_path / 'out', cwd=tmp_path)
    assert_one_paragraph_error(result, '--indices 999: the test split of',
                               'between 0 and')


def test_missing_checkpoint_is_reported_before_anything_is_read(tmp_path):
    """The checkpoint is checked before the config's data (here its test
    folder is missing) and model are read."""
    config = tiny_gen1_config(tmp_path)
    (tmp_path / 'data' / 'test').rename(tmp_path / 'data' / 'gone')
    missing = tmp_path / 'nope.pth'
    result = run_tool(TOOL, config, '--checkpoint', missing, cwd=tmp_path)
    assert_one_paragraph_error(result, f'--checkpoint file {missing}',
                               'does not exist')
    assert 'Gen1Dataset' not in result.stderr  # what the data would say
