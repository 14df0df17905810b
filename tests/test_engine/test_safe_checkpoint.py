"""Checkpoints load with weights_only=True: mmengine's own objects are
allowed, anything else (a pickle that would run code) is refused and named."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

import mmsnn  # noqa: F401  (installs the allowlist)
from mmsnn.engine import UnsafeCheckpointError
from tests.tiny_voc import REPO_ROOT, tiny_runner_cfg


class Reduce:
    """Pickles as the call ``func(*args)``, as a malicious file would."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def evil_checkpoint(path, payload):
    torch.save({'state_dict': {}, 'meta': {'epoch': 1, 'x': payload}}, path)
    return str(path)


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
        _load_checkpoint(path, map_location='cpu')
    assert path in str(e.value)
    assert f'{os.system.__module__}.system' in str(e.value)
    assert not marker.exists()


def test_getattr_is_served_only_for_history_buffer(tmp_path):
    # HistoryBuffer pickles its statistics methods as getattr(cls, 'min').
    ok = evil_checkpoint(tmp_path / 'ok.pth', Reduce(getattr, HistoryBuffer,
                                                     'min'))
    assert _load_checkpoint(ok)['meta']['x'] is HistoryBuffer.min
    # A real getattr would open a path to __globals__ -> eval.
    for name in ('__init__', 'register_statistics'):
        bad = evil_checkpoint(tmp_path / 'bad.pth',
                              Reduce(getattr, HistoryBuffer, name))
        with pytest.raises(UnsafeCheckpointError, match=repr(name)):
            _load_checkpoint(bad)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A real checkpoint written by mmengine's runner (one epoch)."""
    tmp = tmp_path_factory.mktemp('trained')
    cfg = tiny_runner_cfg(tmp, max_epochs=1)
    Runner.from_cfg(cfg).train()
    return tmp, osp.join(cfg.work_dir, 'epoch_1.pth')


def test_mmengine_checkpoint_needs_and_gets_the_allowlist(trained):
    _, ckpt = trained
    loaded = torch.load(ckpt, weights_only=True)  # the allowlist is active
    assert isinstance(loaded['message_hub']['log_scalars']['train/loss'],
                      HistoryBuffer)
    # Without mmsnn, torch >= 2.6 refuses the same file: the allowlist is
    # what makes resume work, not a lax default.
    probe = subprocess.run(
        [sys.executable, '-c',
         f'import torch; torch.load({ckpt!r}, weights_only=True)'],
        capture_output=True, text=True)
    assert probe.returncode != 0
    assert 'HistoryBuffer' in probe.stderr or 'numpy' in probe.stderr


@pytest.mark.parametrize('resume', [False, True])
def test_runner_refuses_evil_checkpoint(trained, marker, resume):
    tmp, _ = trained
    path = evil_checkpoint(tmp / 'evil.pth',
                           Reduce(os.system, f'touch {marker}'))
    cfg = tiny_runner_cfg(tmp, max_epochs=1, load_from=path, resume=resume,
                          work_dir=str(tmp / f'refuse_{resume}'))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        runner.load_or_resume()
    assert not marker.exists()


def test_train_tool_reports_refusal_in_one_paragraph(trained, marker):
    tmp, _ = trained
    path = evil_checkpoint(tmp / 'evil.pth',
                           Reduce(os.system, f'touch {marker}'))
    out = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools/train.py'),
         str(tmp / 'tiny.py'), '--work-dir', str(tmp / 'tool'), '--resume',
         path], capture_output=True, text=True, cwd=str(tmp))
    assert out.returncode == 2
    assert 'Refused to load checkpoint' in out.stderr
    assert path in out.stderr and 'system' in out.stderr
    assert 'Traceback' not in out.stderr
    assert not marker.exists()
