"""safe_checkpoint_loading: mmengine's own objects in a runner checkpoint
are allowed inside the block only; anything else (a pickle that would run
code) stays refused."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner

from mmsnn.engine.checkpoint import safe_checkpoint_loading
from tests.test_engine.test_checkpoint.checkpoints import (Reduce,
                                                           evil_checkpoint)
from tests.tiny_voc import tiny_runner_cfg


def test_stock_checkpoint_loads_inside_the_block_only(stock_checkpoint):
    _, ckpt = stock_checkpoint
    allowed = set(torch.serialization.get_safe_globals())
    # torch >= 2.6 refuses mmengine's own checkpoint: that is the problem.
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer|numpy'):
        torch.load(ckpt, weights_only=True)
    with safe_checkpoint_loading():
        loaded = torch.load(ckpt, weights_only=True)
    assert isinstance(loaded['message_hub']['log_scalars']['train/loss'],
                      HistoryBuffer)
    # Scoped: torch's process-wide allowlist is what it was, before and
    # after.
    assert set(torch.serialization.get_safe_globals()) == allowed
    with pytest.raises(pickle.UnpicklingError):
        torch.load(ckpt, weights_only=True)


def test_getattr_is_served_only_for_history_buffer(tmp_path):
    # HistoryBuffer pickles its statistics methods as getattr(cls, 'min').
    ok = evil_checkpoint(tmp_path / 'ok.pth', Reduce(getattr, HistoryBuffer,
                                                     'min'))
    with safe_checkpoint_loading():
        assert torch.load(ok, weights_only=True)['meta']['x'] is \
            HistoryBuffer.min
    # A real getattr would open a path to __globals__ -> eval.
    for name in ('__init__', 'register_statistics'):
        bad = evil_checkpoint(tmp_path / 'bad.pth',
                              Reduce(getattr, HistoryBuffer, name))
        with safe_checkpoint_loading(), pytest.raises(
                pickle.UnpicklingError, match=repr(name)):
            torch.load(bad, weights_only=True)


def test_runner_resumes_stock_checkpoint_inside_the_block(stock_checkpoint):
    tmp, ckpt = stock_checkpoint
    cfg = tiny_runner_cfg(tmp, max_epochs=2, load_from=ckpt, resume=True,
                          work_dir=str(tmp / 'resumed'))
    with pytest.raises(pickle.UnpicklingError):
        Runner.from_cfg(cfg).load_or_resume()
    runner = Runner.from_cfg(cfg)
    with safe_checkpoint_loading():
        runner.load_or_resume()
    assert runner.epoch == 1
    assert isinstance(runner.message_hub.log_scalars['train/loss'],
                      HistoryBuffer)


@pytest.mark.parametrize('resume', [False, True])
def test_runner_refuses_evil_checkpoint_inside_the_block(
        stock_checkpoint, tmp_path, resume):
    tmp, _ = stock_checkpoint
    marker = tmp_path / 'pwned'
    path = evil_checkpoint(tmp_path / 'evil.pth',
                           Reduce(os.system, f'touch {marker}'))
    cfg = tiny_runner_cfg(tmp, max_epochs=1, load_from=path, resume=resume,
                          work_dir=str(tmp_path / 'refuse'))
    runner = Runner.from_cfg(cfg)
    with safe_checkpoint_loading(), pytest.raises(pickle.UnpicklingError,
                                                  match='system'):
        runner.load_or_resume()
    assert not marker.exists()
