"""mmsnn.engine.setup_distributed: gloo and a CPU DDP wrapper only where a
torchrun launch finds no CUDA; nothing otherwise."""
import glob
import socket

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from mmsnn.engine import closing_process_group, setup_distributed


@pytest.fixture
def torchrun_env(monkeypatch):
    """What torchrun sets for a 1-process job."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    for key, value in dict(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                           MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    yield
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def test_nothing_without_a_launcher_or_with_cuda(torchrun_env, monkeypatch):
    cfg = Config(dict(launcher='none'))
    assert not setup_distributed(cfg)
    assert 'model_wrapper_cfg' not in cfg and not torch_dist.is_initialized()
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = Config(dict(launcher='pytorch'))
    assert not setup_distributed(cfg)  # mmengine's own path (NCCL)
    assert 'model_wrapper_cfg' not in cfg and not torch_dist.is_initialized()


def test_cpu_launch_starts_gloo_and_wraps_without_device_ids(torchrun_env):
    cfg = Config(dict(launcher='pytorch', find_unused_parameters=True,
                      env_cfg=dict(dist_cfg=dict(backend='nccl',
                                                 timeout=60))))
    assert setup_distributed(cfg)
    assert torch_dist.get_backend() == 'gloo'  # nccl needs CUDA
    assert torch_dist.get_world_size() == 1
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=True, device_ids=None)
    assert not setup_distributed(cfg)  # started once


def test_cpu_launch_keeps_a_configs_own_wrapper(torchrun_env):
    from mmengine.model import MMDistributedDataParallel
    from mmengine.registry import MODEL_WRAPPERS
    cfg = Config(dict(launcher='pytorch', model_wrapper_cfg=dict(
        type='MMDistributedDataParallel', broadcast_buffers=True)))
    assert setup_distributed(cfg)
    assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel',
                                         broadcast_buffers=True,
                                         device_ids=None)
    # What the Runner builds from it (its default device_ids lose).
    model = MODEL_WRAPPERS.build(
        cfg.model_wrapper_cfg,
        default_args=dict(module=torch.nn.Linear(2, 2), device_ids=[0]))
    assert isinstance(model, MMDistributedDataParallel)
    assert model.device_ids is None


def test_closing_process_group_destroys_it_on_the_way_out(torchrun_env):
    with closing_process_group():
        assert setup_distributed(Config(dict(launcher='pytorch')))
        assert torch_dist.is_initialized()
    assert not torch_dist.is_initialized()
    # Also when the block fails; its own error is the one raised.
    with pytest.raises(ValueError, match='the block'):
        with closing_process_group():
            setup_distributed(Config(dict(launcher='pytorch')))
            raise ValueError('the block')
    assert not torch_dist.is_initialized()
    with closing_process_group():  # no group: nothing to do
        pass


def _gloo_threads():
    """The names of this process's threads that gloo started."""
    names = []
    for path in glob.glob('/proc/self/task/*/comm'):
        try:
            with open(path) as f:
                names.append(f.read().strip())
        except OSError:  # the thread ended meanwhile
            pass
    return [n for n in names if 'gloo' in n]


@pytest.mark.skipif(not glob.glob('/proc/self/task'),
                    reason='thread names from /proc')
def test_closing_process_group_ends_gloo_threads_held_in_cycles(
        torchrun_env):
    """As a Runner holds its DDP model: in a reference cycle. Destroying
    the group alone leaves its threads running into the interpreter's
    teardown; the block's end stops them."""
    before = len(_gloo_threads())
    with closing_process_group():
        setup_distributed(Config(dict(launcher='pytorch')))
        holder = dict(model=torch.nn.parallel.DistributedDataParallel(
            torch.nn.Linear(2, 2)))
        holder['self'] = holder
        assert len(_gloo_threads()) > before
        del holder
    assert not torch_dist.is_initialized()
    assert len(_gloo_threads()) == before
