"""tools/infer.py with an event-camera config: a .dat recording or a folder
of them is cut into windows of the config's length, and every window's
detections are written; wrong input is one paragraph."""
import json

import pytest

from tests.test_datasets.gen1_files import write_dat
from tests.test_tools.test_make_mini_gen1 import tiny_gen1_config
from tests.test_tools.test_test import CONFIG, random_checkpoint
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

pytestmark = pytest.mark.usefixtures('yapf_formatting')


@pytest.fixture
def gen1_run(tmp_path):
    """A tiny mini-Gen1, a config of the mini-Gen1 SNN reading it and a
    checkpoint of its random model."""
    config = tiny_gen1_config(tmp_path)
    return config, random_checkpoint(config, tmp_path / 'epoch_1.pth')


def test_event_config_detects_in_every_window(tmp_path, gen1_run):
    config, checkpoint = gen1_run
    recording = next((tmp_path / 'data/test').glob('*_td.dat'))
    out = tmp_path / 'out'
    (out / 'preds').mkdir(parents=True)
    (out / 'preds/earlier.json').write_text('{}')  # kept
    result = run_tool('infer.py', recording.parent, config, checkpoint,
                      '--out-dir', out, '--every-us', '100000',
                      '--score-thr', '0', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    name = recording.name[:-len('.dat')]
    preds = json.loads((out / f'preds/{name}.json').read_text())
    # Events until 400 ms: windows of 50 ms ending every 100 ms from 50 ms
    # on, until the last event has been in one ([400, 450) ms).
    ends = [w['timestamp'] for w in preds['windows']]
    assert ends == [50_000, 150_000, 250_000, 350_000, 450_000]
    assert preds['window_us'] == 50_000
    assert all(len(w['bboxes']) == len(w['scores']) == len(w['labels']) > 0
               for w in preds['windows'])
    assert sorted(p.name for p in (out / 'vis').iterdir()) == sorted(
        f'{name}_t{t}.png' for t in ends)
    assert f'{recording}: 5 windows of 50000 us' in result.stdout
    assert (out / 'preds/earlier.json').read_text() == '{}'


def test_event_input_that_cannot_be_used_is_one_paragraph(tmp_path,
                                                         gen1_run):
    config, checkpoint = gen1_run
    image = tmp_path / 'photo.jpg'
    image.write_bytes(b'')
    assert_one_paragraph_error(
        run_tool('infer.py', image, config, checkpoint, cwd=tmp_path),
        f'{image} is not an event recording', '.dat')
    empty_folder = tmp_path / 'none'
    empty_folder.mkdir()
    assert_one_paragraph_error(
        run_tool('infer.py', empty_folder, config, checkpoint, cwd=tmp_path),
        f'Folder {empty_folder} holds no event recording')
    folder = tmp_path / 'recordings'
    folder.mkdir()
    write_dat(folder / 'a_td.dat', [(10, 1, 1, 1), (60_000, 2, 2, 0)])
    write_dat(folder / 'b_td.dat', [])
    result = run_tool('infer.py', folder, config, checkpoint, '--out-dir',
                      tmp_path / 'out', cwd=tmp_path)
    assert_one_paragraph_error(result, f'{folder / "b_td.dat"}: the '
                               'recording holds no event')
    assert not (tmp_path / 'out/preds/a_td.json').exists()  # checked first


def test_image_config_names_a_recording_given_as_image(tmp_path):
    recording = tmp_path / 'r_td.dat'
    write_dat(recording, [(10, 1, 1, 1)])
    checkpoint = random_checkpoint(CONFIG, tmp_path / 'voc.pth')
    assert_one_paragraph_error(
        run_tool('infer.py', recording, CONFIG, checkpoint, cwd=tmp_path),
        f'{recording} is an event recording, but the config takes images')
