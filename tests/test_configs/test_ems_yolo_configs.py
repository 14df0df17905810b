"""configs/ems_yolo: they build EMS-YOLO's models (their parameter counts),
and the mini configs train and evaluate with stock mmengine machinery on
tiny generated data; the Gen1 config draws EMS-YOLO's event frames."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner

from mmsnn.datasets.synthetic import make_mini_gen1, make_mini_voc
from tests.conftest import fit_one_batch, load_config, repo_path
from tests.test_models.test_detectors.test_ems_yolo import THEIR_PARAMETERS

MINIVOC = 'configs/ems_yolo/ems-yolo_res10-ee-mini_1xb8-160-4e_minivoc_t4.py'
MINIGEN1 = 'configs/ems_yolo/ems-yolo_res10-ee-mini_1xb8-192-10e_minigen1_t4.py'
GEN1 = 'configs/ems_yolo/ems-yolo_res10-ee_8xb1-320-250e_gen1_t5.py'
# config -> (arch, classes, T)
FULL = {
    'ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py': ('res10-ee', 80, 5),
    'ems-yolo_res18-ee_8xb8-640-150e_coco_t5.py': ('res18-ee', 80, 5),
    'ems-yolo_resnet34-cat_8xb8-640-150e_coco_t5.py': ('resnet34-cat', 80, 5),
    'ems-yolo_res10-ee_8xb1-320-250e_gen1_t5.py': ('res10-ee', 2, 5),
}


def test_every_config_is_listed_or_mini():
    names = {osp.basename(p) for p in glob.glob(
        repo_path('configs/ems_yolo/*.py'))}
    assert names == set(FULL) | {
        osp.basename(MINIVOC), osp.basename(MINIGEN1),
        'ems-yolo_res10-ee_8xb8-640-150e_voc0712_t4.py'}


@pytest.mark.parametrize('name', sorted(FULL))
def test_full_configs_build_their_models(name):
    arch, num_classes, time_steps = FULL[name]
    cfg = load_config(f'configs/ems_yolo/{name}')
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
    assert (model.backbone.arch, model.bbox_head.num_classes,
            model.time_steps) == (arch, num_classes, time_steps)
    assert sum(p.numel() for p in model.parameters()) == \
        THEIR_PARAMETERS[arch][num_classes]


def test_voc_config_has_voc_classes_and_protocol():
    cfg = load_config(
        'configs/ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_voc0712_t4.py')
    assert cfg.model.bbox_head.num_classes == 20
    assert cfg.val_evaluator == dict(type='VOCMetric', metric='mAP',
                                     eval_mode='11points')
    years = [d.data_prefix.sub_data_root
             for d in cfg.train_dataloader.dataset.dataset.datasets]
    assert years == ['VOC2007/', 'VOC2012/']


@pytest.fixture(scope='module')
def tiny_voc(tmp_path_factory):
    out = tmp_path_factory.mktemp('mini_voc')
    return make_mini_voc(
        str(out), num_trainval=4, num_test=3, max_objects=4) + '/'


@pytest.fixture(scope='module')
def tiny_gen1(tmp_path_factory):
    root = tmp_path_factory.mktemp('mini_gen1')
    make_mini_gen1(str(root), 'tiny')
    return str(root) + '/'


def _point_at(cfg, root, work_dir=None):
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].update(batch_size=2, num_workers=0, persistent_workers=False)
        cfg[key].dataset.data_root = root
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.logger.interval = 1
    if work_dir is not None:
        cfg.work_dir = str(work_dir)
    return cfg


def test_minivoc_few_iterations_lower_the_loss(tiny_voc):
    cfg = _point_at(load_config(MINIVOC), tiny_voc)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    losses = fit_one_batch(model, cfg)
    assert sum(losses[-2:]) < 0.9 * sum(losses[:2]), losses


def test_minivoc_trains_one_epoch_then_evaluates(tiny_voc, tmp_path):
    runner = Runner.from_cfg(_point_at(load_config(MINIVOC), tiny_voc,
                                       tmp_path))
    runner.train()
    metrics = runner.test()
    assert 0. <= metrics['pascal_voc/mAP'] <= 1.


def test_minigen1_trains_one_epoch_then_evaluates(tiny_gen1, tmp_path):
    cfg = _point_at(load_config(MINIGEN1), tiny_gen1, tmp_path)
    cfg.train_dataloader.dataset.indices = 4
    for key in ('val_dataloader', 'test_dataloader'):
        cfg[key].dataset.indices = 2
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert {'gen1/mAP', 'gen1/mAP_50'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('gen1/mAP', 'gen1/mAP_50'))


def test_gen1_config_draws_their_frames_and_runs(tiny_gen1):
    cfg = _point_at(load_config(GEN1), tiny_gen1)
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    sample = ds[0]
    frames = sample['inputs']
    assert tuple(frames.shape) == (5, 3, 320, 320)  # T bins, stretched
    values = set(np.unique(frames.numpy()).tolist())
    assert values <= {0., 127., 255.} and {127., 255.} <= values
    assert ds[0]['data_samples'].window_us == 250_000
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    data = model.data_preprocessor(pseudo_collate([sample]), True)
    assert data['inputs'].shape == (5, 3, 320, 320)
    assert float(data['inputs'].max()) == 1.0  # scaled by 1/255
    losses = model(**data, mode='loss')
    assert torch.isfinite(sum(losses.values()))
