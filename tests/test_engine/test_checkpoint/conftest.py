import pytest
import torch
from mmdet.registry import MODELS

from tests.conftest import tiny_snn_yolov3_cfg


@pytest.fixture
def snn():
    """A tiny SNN-YOLOv3 (3 classes), seeded."""
    torch.manual_seed(0)
    return MODELS.build(tiny_snn_yolov3_cfg(num_classes=3))


@pytest.fixture(scope='session')
def stock_checkpoint(tmp_path_factory):
    """A checkpoint written by mmengine's stock CheckpointHook (one epoch of
    a tiny run): its message hub holds HistoryBuffers. Returns the folder
    (with tiny.py, the config) and the file."""
    import os.path as osp

    from mmengine.runner import Runner

    from tests.tiny_voc import tiny_runner_cfg
    tmp = tmp_path_factory.mktemp('stock')
    cfg = tiny_runner_cfg(tmp, max_epochs=1)
    assert cfg.default_hooks.checkpoint.type == 'CheckpointHook'
    Runner.from_cfg(cfg).train()
    return tmp, osp.join(cfg.work_dir, 'epoch_1.pth')
