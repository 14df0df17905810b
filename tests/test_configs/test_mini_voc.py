"""configs/mini_voc: the main job's SNN and its ANN twin train and evaluate
on (tiny) generated mini-VOC data."""

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmsnn  # noqa: F401
from mmsnn.models.layers import IFNeuron
from mmsnn.conversion import check_published
from mmsnn.datasets.synthetic import make_mini_voc
from mmsnn.datasets.synthetic.mini_voc_drawing import CLASSES
from mmsnn.utils.config_digest import config_settings
from tests.conftest import fit_one_batch, repo_path

SNN_CONFIG = repo_path(
    'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py')
ANN_CONFIG = repo_path(
    'configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py')


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    """A few generated images; returns the data_root for the configs."""
    out = tmp_path_factory.mktemp('mini_voc')
    return make_mini_voc(
        str(out), num_trainval=4, num_test=3, max_objects=4) + '/'


def _config(path, data_root, work_dir=None):
    """The config, pointed at ``data_root``, with a small batch, no worker
    processes and a 1-epoch schedule."""
    init_default_scope('mmdet')
    cfg = Config.fromfile(path)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].update(batch_size=2, num_workers=0, persistent_workers=False)
        cfg[key].dataset.data_root = data_root
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.param_scheduler = None
    cfg.load_from = None  # the SNN's ANN checkpoint is not needed here
    cfg.default_hooks.logger.interval = 1
    if work_dir is not None:
        cfg.work_dir = str(work_dir)
    return cfg


def _build_model(cfg):
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def test_configs_describe_the_snn_and_its_ann_twin(tiny_data):
    snn_cfg, ann_cfg = (_config(p, tiny_data)
                        for p in (SNN_CONFIG, ANN_CONFIG))
    assert snn_cfg.model.time_steps == 4
    classes = snn_cfg.train_dataloader.dataset.metainfo['classes']
    assert classes == CLASSES
    assert snn_cfg.model.bbox_head.num_classes == len(classes)
    for cfg in (snn_cfg, ann_cfg):
        for key in ('val_dataloader', 'test_dataloader'):
            assert cfg[key].dataset.metainfo['classes'] == classes
        assert cfg.val_evaluator.type == 'VOCMetric'
        assert cfg.val_evaluator.eval_mode == '11points'
    # The same data and pipeline; the same layers and weights' names and
    # shapes: only the activations (and T) differ, so the ANN's weights load
    # one to one into the SNN.
    for key in ('train_dataloader', 'test_dataloader'):
        assert snn_cfg[key] == ann_cfg[key], key
    snn, ann = _build_model(snn_cfg), _build_model(ann_cfg)
    assert {k: v.shape for k, v in snn.state_dict().items()} == \
        {k: v.shape for k, v in ann.state_dict().items()}
    snn.load_state_dict(ann.state_dict(), strict=True)
    assert any(isinstance(m, IFNeuron) for m in snn.modules())
    assert not any(isinstance(m, IFNeuron) for m in ann.modules())
    assert sum(isinstance(m, nn.LeakyReLU) for m in ann.modules()) == sum(
        isinstance(m, IFNeuron) for m in snn.modules())
    assert ann.time_steps == 1


def test_snn_starts_from_the_published_ann_twin():
    """The SNN's load_from is the published twin: its bytes match its name,
    it reads with weights_only=True, it is this twin config trained to its
    last epoch (the config text in its meta builds the same model as the
    config today), and its weights fit the SNN one to one."""
    from mmdet.registry import MODELS
    snn_cfg, ann_cfg = (Config.fromfile(p) for p in (SNN_CONFIG, ANN_CONFIG))
    assert ann_cfg.load_from is None
    twin = repo_path(snn_cfg.load_from)
    assert snn_cfg.load_from.startswith('checkpoints/mini_voc/')
    check_published(twin)
    published = torch.load(twin, map_location='cpu', weights_only=True)
    assert set(published) == {'meta', 'state_dict'}
    meta = published['meta']
    assert meta['seed'] == 0
    assert meta['epoch'] == ann_cfg.train_cfg.max_epochs
    assert meta['experiment_name'].startswith('yolov3_minivoc_')
    assert meta['dataset_meta']['classes'] == CLASSES
    # It was trained under the twin config's old name (yolov3_minivoc.py),
    # with the same settings (mmengine's default-scope markers aside).
    trained_with = config_settings(
        Config.fromstring(meta['cfg'], file_format='.py'))
    settings = config_settings(ann_cfg)
    for key in ('model', 'train_dataloader', 'optim_wrapper',
                'param_scheduler', 'randomness'):
        assert trained_with[key] == settings[key], key
    # (tools/train.py swaps in mmsnn's loop type; the schedule is the same)
    assert trained_with['train_cfg']['max_epochs'] == \
        ann_cfg.train_cfg.max_epochs
    init_default_scope('mmdet')
    snn = MODELS.build(snn_cfg.model)
    assert {k: v.shape for k, v in published['state_dict'].items()} == \
        {k: v.shape for k, v in snn.state_dict().items()}
    snn.load_state_dict(published['state_dict'], strict=True)


def test_a_few_iterations_lower_the_loss(tiny_data):
    """The config's model and optimizer fit one batch of generated data."""
    cfg = _config(SNN_CONFIG, tiny_data)
    losses = fit_one_batch(_build_model(cfg), cfg)
    assert all(torch.isfinite(torch.tensor(losses)))
    assert sum(losses[-2:]) < 0.95 * sum(losses[:2]), losses


def test_train_one_epoch_then_evaluate(tiny_data, tmp_path):
    """mmengine's runner trains the config and VOCMetric scores it."""
    cfg = _config(SNN_CONFIG, tiny_data, tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert set(metrics) >= {'pascal_voc/mAP', 'pascal_voc/AP50'}
    assert 0. <= metrics['pascal_voc/mAP'] <= 1.
