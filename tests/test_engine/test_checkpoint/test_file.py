"""A missing checkpoint, a folder or a file of another format is named
before anything is built."""
import pytest
import torch

from mmsnn.engine.checkpoint import (check_checkpoint_file,
                                     load_checkpoint_to_check)
from mmsnn.utils import InputError


def test_missing_checkpoint_file_is_named(tmp_path):
    with pytest.raises(InputError, match='load_from file .*nope.pth'):
        check_checkpoint_file(str(tmp_path / 'nope.pth'), 'load_from')
    with pytest.raises(InputError, match='directory'):
        check_checkpoint_file(str(tmp_path), 'Checkpoint')
    check_checkpoint_file('https://example.com/x.pth')  # left to mmengine
    check_checkpoint_file(None)


def test_file_of_another_format_is_named(tmp_path):
    text = tmp_path / 'config.py'
    text.write_text("_base_ = 'x.py'\n")
    with pytest.raises(InputError, match=r"is not a checkpoint: .* starts "
                       r"with \"_base_ = 'x.py'\""):
        check_checkpoint_file(str(text), 'Checkpoint')
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    check_checkpoint_file(str(empty))  # left to the loader: truncated


def test_checkpoint_must_hold_a_dict(tmp_path):
    path = str(tmp_path / 'list.pth')
    torch.save([torch.zeros(1)], path)
    with pytest.raises(InputError, match='list.pth holds a list, not a dict'):
        load_checkpoint_to_check(path)
