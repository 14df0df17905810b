"""tools/analysis_tools/browse_events.py: pictures of event samples."""
import sys

import numpy as np
from PIL import Image

from tests.conftest import repo_path
from tests.test_tools.script_loader import load_script
from tests.test_tools.test_make_mini_gen1 import load_generator

tool = load_script('analysis_tools', 'browse_events.py')


def test_on_off_colours():
    frame = np.zeros((2, 4, 4), np.float32)
    frame[1, 0, 0] = 3  # ON only
    frame[0, 3, 3] = 3  # OFF only
    img = tool.event_picture(frame, zoom=1)
    assert img.shape == (4, 4, 3)
    assert tuple(img[1, 1]) == (255, 255, 255)  # no events: white
    b, g, r = img[0, 0].astype(int)
    assert r > b + 100  # ON red
    b, g, r = img[3, 3].astype(int)
    assert b > r + 100  # OFF blue


def test_strip_and_gif_of_a_sample(tmp_path, monkeypatch):
    root = tmp_path / 'data'
    load_generator().make_mini_gen1(str(root), 'tiny')
    config = tmp_path / 'cfg.py'
    config.write_text(
        f"_base_ = '{repo_path('configs/events/snn_yolov3_minigen1_t4.py')}'\n"
        f"test_dataloader = dict(dataset=dict(data_root='{root}/'))\n")
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
