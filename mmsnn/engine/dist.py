"""Distributed training and testing on machines without a GPU.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device`` whatever the
backend, and its DDP wrapper passes ``device_ids=[LOCAL_RANK]``, which torch
rejects for a model on the CPU; so ``tools/dist_train.sh CONFIG 2`` cannot run
on a CPU-only machine with stock mmengine. :func:`setup_distributed` (called
by tools/train.py and tools/test.py before the Runner is built) starts the
process group with gloo itself on such machines, and the Runner, finding it
started, skips its own start. With CUDA, nothing changes: mmengine starts the
config's backend (``env_cfg.dist_cfg.backend``, NCCL by default).

The switch: CUDA visible means mmengine's path, none visible means gloo on the
CPU; ``CUDA_VISIBLE_DEVICES=`` makes a GPU machine train on its CPU.

:func:`closing_process_group` ends a tool's process group, and its threads,
before the interpreter exits, as torch asks of applications.
"""
import contextlib
import datetime
import gc
import os
import warnings
from typing import Iterator

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed

# Backends that run without CUDA; any other configured one becomes gloo.
CPU_BACKENDS = ('gloo', 'mpi')


def setup_distributed(cfg: Config) -> bool:
    """Start torch.distributed for a CPU-only ``pytorch`` launch, in place.

    Does nothing unless ``cfg.launcher == 'pytorch'`` (torchrun's environment:
    ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``), CUDA is not
    available and no process group is running. Then it initialises the
    process group with gloo (or ``env_cfg.dist_cfg.backend`` where that is
    gloo or mpi; its ``timeout`` in seconds is honoured) and sets
    ``cfg.model_wrapper_cfg.device_ids = None`` so that DDP wraps the CPU
    model (keeping a config's own wrapper type and options).

    Args:
        cfg (Config): The config the Runner will be built from, with
            ``launcher`` set.

    Returns:
        bool: Whether this call started the process group.
    """
    if (cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available()
            or is_distributed()):
        return False
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', None) or {})
    backend = dist_cfg.pop('backend', 'gloo')
    if backend not in CPU_BACKENDS:
        backend = 'gloo'
    if dist_cfg.get('timeout') is not None:
        dist_cfg['timeout'] = datetime.timedelta(seconds=dist_cfg['timeout'])
    torch_dist.init_process_group(
        backend=backend,
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        **dist_cfg)
    wrapper = dict(cfg.get('model_wrapper_cfg', None)
                   or dict(type='MMDistributedDataParallel',
                           broadcast_buffers=False,
                           find_unused_parameters=cfg.get(
                               'find_unused_parameters', False)))
    # The Runner only sets device_ids where the config has none.
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


@contextlib.contextmanager
def closing_process_group() -> Iterator[None]:
    """End torch.distributed's process group, and its threads, when the
    block ends.

    Whoever started the group within the block (:func:`setup_distributed`
    or the Runner), it is destroyed on the way out, normally or by an
    exception. The Runner and its DDP-wrapped model hold the group in
    reference cycles, so they are collected first: only then does
    destroying the group stop gloo's threads, which otherwise live on into
    the interpreter's teardown, where they now and then aborted a rank of
    a finished run (``terminate called without an active exception``,
    SIGABRT, a failed run for torchrun). A failure to destroy the group is
    a warning, never in place of the block's own exception. Outside a
    distributed run it does nothing.
    """
    try:
        yield
    finally:
        if torch_dist.is_available() and torch_dist.is_initialized():
            gc.collect()  # the Runner's cycles hold the group
            try:
                torch_dist.destroy_process_group()
            except Exception as e:  # the block's own error comes first
                warnings.warn(f'mmsnn: destroying the process group at '
                              f'the end of the run failed: {e!r}')
