"""mmdet's own entry points load mmsnn's checkpoints in a script that
imports mmsnn: ``init_detector`` + ``inference_detector`` and
``DetInferencer``, on a checkpoint that training with mmsnn's hooks wrote
(the opt-in of tools/train.py and of configs) and on a published one
(tools/model_converters/publish_model.py), with torch's weights-only
loading and no allowlist. A checkpoint of mmengine's stock hook needs the
documented ``safe_checkpoint_loading()`` block."""
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch
from mmdet.apis import DetInferencer, inference_detector, init_detector
from mmengine.config import Config
from mmengine.runner import Runner

from mmsnn.engine import add_reliability_hooks, safe_checkpoint_loading
from tests.tiny_voc import REPO_ROOT, tiny_runner_cfg

PUBLISHED = osp.join(REPO_ROOT, 'checkpoints', 'mini_voc',
                     'yolov3_minivoc_seed0-c9036a7c.pth')


def _config_of(checkpoint_path):
    """The config a checkpoint was trained with (its meta)."""
    checkpoint = torch.load(checkpoint_path, weights_only=True)
    return Config.fromstring(checkpoint['meta']['cfg'], '.py')


@pytest.fixture(scope='module')
def image(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('images') / 'demo.jpg')
    rng = np.random.default_rng(0)
    cv2.imwrite(path, rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    return path


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    """epoch_1.pth of a tiny SNN trained with mmsnn's hooks and loop."""
    tmp = tmp_path_factory.mktemp('run')
    cfg = tiny_runner_cfg(tmp, max_epochs=1)
    add_reliability_hooks(cfg)
    Runner.from_cfg(cfg).train()
    return osp.join(cfg.work_dir, 'epoch_1.pth')


def _checkpoints(runner_checkpoint):
    return {'runner': runner_checkpoint, 'published': PUBLISHED}


def _assert_loaded(model, path):
    """The model holds the checkpoint's weights (not its initial ones)."""
    state = torch.load(path, weights_only=True)['state_dict']
    own = model.state_dict()
    assert state.keys() == own.keys()
    assert all(torch.equal(state[k], own[k]) for k in state)


@pytest.mark.parametrize('kind', ['runner', 'published'])
def test_init_detector_and_inference_detector(runner_checkpoint, image,
                                              kind):
    path = _checkpoints(runner_checkpoint)[kind]
    allowed = set(torch.serialization.get_safe_globals())
    # Nothing but tensors and plain values: torch's default loader reads it.
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    model = init_detector(_config_of(path), path, device='cpu')
    _assert_loaded(model, path)
    result = inference_detector(model, image)
    boxes = result.pred_instances.bboxes
    assert boxes.ndim == 2 and boxes.shape[1] == 4
    assert torch.isfinite(boxes).all()
    assert set(torch.serialization.get_safe_globals()) == allowed


@pytest.mark.parametrize('kind', ['runner', 'published'])
def test_det_inferencer(runner_checkpoint, image, kind):
    path = _checkpoints(runner_checkpoint)[kind]
    inferencer = DetInferencer(model=_config_of(path), weights=path,
                               device='cpu', show_progress=False)
    _assert_loaded(inferencer.model, path)
    classes = torch.load(path, weights_only=True)['meta']['dataset_meta'][
        'classes']
    assert inferencer.model.dataset_meta['classes'] == tuple(classes)
    prediction, = inferencer(image, return_datasamples=False)['predictions']
    assert len(prediction['bboxes']) == len(prediction['scores'])
    assert all(np.isfinite(box).all() for box in prediction['bboxes'])


def test_stock_hook_checkpoint_needs_the_documented_block(tmp_path, image):
    """A checkpoint of mmengine's stock CheckpointHook (HistoryBuffers in its
    message hub) is refused by torch's default, and loads in
    ``safe_checkpoint_loading()``, as docs/faults.md shows."""
    cfg = tiny_runner_cfg(tmp_path, max_epochs=1)
    assert cfg.default_hooks.checkpoint.type == 'CheckpointHook'
    Runner.from_cfg(cfg).train()
    path = osp.join(cfg.work_dir, 'epoch_1.pth')
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer|numpy'):
        init_detector(cfg, path, device='cpu')
    with safe_checkpoint_loading():
        model = init_detector(cfg, path, device='cpu')
        inferencer = DetInferencer(model=cfg, weights=path, device='cpu',
                                   show_progress=False)
    with safe_checkpoint_loading():
        state = torch.load(path, weights_only=True)['state_dict']
    for loaded in (model, inferencer.model):
        assert all(torch.equal(v, loaded.state_dict()[k])
                   for k, v in state.items())
    assert inference_detector(model, image).pred_instances is not None
