"""report_input_errors: one paragraph and exit 2 for bad input."""
import pytest

from mmsnn.utils import InputError, report_input_errors
from mmsnn.utils.input_error import image_load_failure

# What torch's DataLoader re-raises in the main process when mmcv's
# LoadImageFromFile fails in a worker.
WORKER_ERROR = (
    'Caught AssertionError in DataLoader worker process 0.\n'
    'Original Traceback (most recent call last):\n'
    '  File ".../mmcv/transforms/loading.py", line 110, in transform\n'
    "    assert img is not None, f'failed to load image: {filename}'\n"
    'AssertionError: failed to load image: /data/VOC/JPEGImages/000042.jpg')


def test_image_failure_in_loader_is_one_paragraph(capsys):
    with pytest.raises(SystemExit) as exit_info:
        with report_input_errors():
            raise AssertionError(WORKER_ERROR)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert 'could not decode the image /data/VOC/JPEGImages/000042.jpg' \
        in err
    assert 'decode_images=True' in err and 'Traceback' not in err


def test_other_assertions_keep_their_traceback():
    assert image_load_failure(AssertionError('shapes differ')) is None
    assert image_load_failure(ValueError(WORKER_ERROR)) is None
    with pytest.raises(AssertionError, match='shapes differ'):
        with report_input_errors():
            raise AssertionError('shapes differ')


def test_input_error_and_debug(capsys, monkeypatch):
    with pytest.raises(SystemExit):
        with report_input_errors():
            raise InputError('split file x.txt, line 3: blank line')
    assert 'mmsnn error: split file x.txt, line 3' in capsys.readouterr().err
    monkeypatch.setenv('MMSNN_DEBUG', '1')
    with pytest.raises(AssertionError):
        with report_input_errors():
            raise AssertionError(WORKER_ERROR)
