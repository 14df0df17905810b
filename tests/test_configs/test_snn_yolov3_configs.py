"""Every config builds, and loss/predict run on tiny inputs."""
import glob
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS

from tests.conftest import REPO_ROOT, fake_batch, load_config, narrow_yolov3

CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs/snn_yolov3/*.py')))


def test_configs_found():
    assert len(CONFIGS) >= 5


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_and_runs_tiny(config):
    cfg = load_config(config)
    assert cfg.custom_imports.imports == ['mmsnn']
    model_cfg = narrow_yolov3(cfg.model)
    if 'time_steps' in model_cfg:
        model_cfg.time_steps = 2
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    data = fake_batch(model)
    losses = model.loss(data['inputs'], data['data_samples'])
    total = model.parse_losses(losses)[0]
    total.backward()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model.predict(data['inputs'], data['data_samples'])
    assert len(results) == 2
    assert results[0].pred_instances.bboxes.shape[-1] == 4


def test_paper_configs_say_what_differs():
    t6 = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    t4 = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t4.py')
    rate = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6_rate.py')
    ann = load_config('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
    assert (t6.model.time_steps, t4.model.time_steps) == (6, 4)
    assert t6.model.bbox_head.decode_mode == 'mean'
    assert rate.model.bbox_head.decode_mode == 'rate'
    # identical data pipeline and schedule for the ANN baseline
    for key in ('train_dataloader', 'val_dataloader', 'param_scheduler',
                'train_cfg', 'val_evaluator'):
        assert t6[key] == ann[key], key
    assert t6.val_evaluator.eval_mode == '11points'
    assert t6.optim_wrapper.optimizer.momentum == 0.9
    assert any(s.type == 'CosineAnnealingLR' for s in t6.param_scheduler)


@pytest.mark.parametrize('alias', sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs/*.py'))), ids=osp.basename)
def test_top_level_short_names_are_their_targets(alias):
    """configs/<short name>.py only inherits the config it names."""
    from mmengine.config import Config
    with open(alias) as f:
        target = f.read().split("_base_ = './")[1].split("'")[0]
    assert target.startswith('snn_yolov3/')
    short, full = (Config.fromfile(p) for p in
                   (alias, osp.join(REPO_ROOT, 'configs', target)))
    assert short.to_dict() == full.to_dict()
