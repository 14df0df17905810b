"""tools/analysis_tools/browse_events.py: pictures of event samples (the
colours themselves: tests/test_visualization)."""
import sys

import numpy as np
from PIL import Image

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
    g = strip[..., 1].astype(int)
    assert ((g > 150) & (strip[..., 0] < 60) & (strip[..., 2] < 60)).any()
