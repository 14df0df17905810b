"""The tools' loading: weights only whatever the environment says, a
checkpoint that would run code is refused and named, a damaged one is
named, and a stock mmengine checkpoint still resumes."""
import os
import os.path as osp

import pytest
import torch

from mmsnn.engine.checkpoint import (DamagedCheckpointError,
                                     UnsafeCheckpointError, check_load_from,
                                     load_checkpoint_safely)
from tests.test_engine.test_checkpoint.checkpoints import (Reduce,
                                                           evil_checkpoint,
                                                           save)
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool


@pytest.fixture
def marker(tmp_path):
    return tmp_path / 'pwned'


def test_code_calling_checkpoint_is_refused_and_named(tmp_path, marker,
                                                      monkeypatch):
    path = evil_checkpoint(tmp_path / 'evil.pth',
                           Reduce(os.system, f'touch {marker}'))
    # Even where the user asked torch to default to unsafe loading.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    with pytest.raises(UnsafeCheckpointError) as e:
        load_checkpoint_safely(path)
    assert path in str(e.value)
    assert f'{os.system.__module__}.system' in str(e.value)
    assert not marker.exists()


def test_stock_checkpoint_loads(stock_checkpoint):
    _, ckpt = stock_checkpoint
    assert load_checkpoint_safely(ckpt)['meta']['epoch'] == 1


def test_truncated_checkpoint_is_named(snn, tmp_path):
    path = save(snn, tmp_path / 'epoch_1.pth')
    with open(path, 'rb') as f:
        data = f.read()
    for name, cut in (('half.pth', data[:len(data) // 2]),
                      ('empty.pth', b'')):
        damaged = str(tmp_path / name)
        with open(damaged, 'wb') as f:
            f.write(cut)
        with pytest.raises(DamagedCheckpointError) as e:
            check_load_from(snn, damaged)  # load_from, --resume, test
        assert f'Checkpoint file {damaged} ({len(cut)} bytes)' in str(e.value)
        assert 'truncated' in str(e.value) and 'last_checkpoint' in str(
            e.value)
    assert 'central directory' in str(
        pytest.raises(DamagedCheckpointError, load_checkpoint_safely,
                      str(tmp_path / 'half.pth')).value)
    with pytest.raises(FileNotFoundError):
        load_checkpoint_safely(str(tmp_path / 'nope.pth'))


def test_train_tool_reports_refusal_in_one_paragraph(stock_checkpoint,
                                                     tmp_path, marker):
    tmp, _ = stock_checkpoint
    path = evil_checkpoint(tmp_path / 'evil.pth',
                           Reduce(os.system, f'touch {marker}'))
    result = run_tool('train.py', tmp / 'tiny.py', '--work-dir',
                      tmp_path / 'tool', '--resume', path, cwd=tmp_path)
    assert_one_paragraph_error(result, 'Refused to load checkpoint', path,
                               'system')
    assert not marker.exists()


def test_train_tool_resumes_stock_checkpoint(stock_checkpoint, tmp_path):
    """A checkpoint of mmengine's stock CheckpointHook (HistoryBuffers in
    it, which torch's default refuses) resumes through tools/train.py."""
    tmp, ckpt = stock_checkpoint
    work_dir = tmp_path / 'resumed'
    result = run_tool('train.py', tmp / 'tiny.py', '--work-dir', work_dir,
                      '--resume', ckpt, '--cfg-options',
                      'train_cfg.max_epochs=2', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    resumed = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert resumed['meta']['epoch'] == 2
    assert osp.isfile(work_dir / 'last_checkpoint')
