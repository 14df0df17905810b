"""configs/events: they build, differ where they say, and the SNN trains
on a tiny mini-Gen1 with stock mmengine machinery (loss falls, the Gen1
metric is in [0, 1])."""
import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmsnn.datasets.synthetic import make_mini_gen1
from tests.conftest import load_config

MINI = 'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'


@pytest.fixture(scope='module')
def tiny_gen1(tmp_path_factory):
    root = tmp_path_factory.mktemp('mini_gen1')
    make_mini_gen1(str(root), 'tiny')
    return str(root) + '/'


def _point_at(cfg, root):
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = root
        cfg[key].batch_size = 2
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    return cfg


def test_real_gen1_config_changes_only_data_root_and_dataset_type():
    mini, real = load_config(MINI), load_config(
        'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert real[key].dataset.data_root == 'data/gen1/'
        # MiniGen1Dataset differs only in its missing-data hint.
        assert (real[key].dataset.type, mini[key].dataset.type) == (
            'Gen1Dataset', 'MiniGen1Dataset')
        real[key].dataset.data_root = mini[key].dataset.data_root
        real[key].dataset.type = mini[key].dataset.type
    real.data_root, real.dataset_type = mini.data_root, mini.dataset_type
    assert real.to_dict() == mini.to_dict()


@pytest.mark.parametrize('config,in_channels,fold', [
    (MINI, 2, 'time'),
    ('configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py', 8, 'channels'),
    ('configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4_lif.py', 2, 'time'),
])
def test_configs_build_and_run_on_a_batch(tiny_gen1, config, in_channels,
                                          fold):
    cfg = _point_at(load_config(config), tiny_gen1)
    if 'lif' in config and 'LIFNeuron' not in MODELS:
        pytest.skip('LIFNeuron is not registered yet')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    assert model.backbone.conv1.conv.in_channels == in_channels
    assert model.data_preprocessor.fold == fold
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    data = model.data_preprocessor(pseudo_collate([ds[0], ds[1]]), True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(sum(v.sum() if torch.is_tensor(v) else sum(v)
                              for v in losses.values()))


def test_few_iterations_lower_the_loss_and_eval_is_in_0_1(tiny_gen1,
                                                         tmp_path):
    cfg = _point_at(load_config(MINI), tiny_gen1)
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=8,
                         val_interval=8)
    cfg.param_scheduler = []
    cfg.optim_wrapper.optimizer.lr = 1e-2
    for loader in ('train_dataloader', 'val_dataloader'):  # a quarter size
        for step in cfg[loader].dataset.pipeline:
            if step.type == 'ResizeEvents':
                step.scale = (96, 76)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.custom_hooks = []
    # The same batch every step (no shuffling, no flip): the loss must fall.
    cfg.train_dataloader.sampler = dict(type='DefaultSampler', shuffle=False)
    cfg.train_dataloader.dataset.pipeline = [
        p for p in cfg.train_dataloader.dataset.pipeline
        if p.type != 'RandomFlipEvents']
    cfg.train_dataloader.dataset.indices = 2
    cfg.val_dataloader.dataset.indices = 2
    losses = []
    runner = Runner.from_cfg(cfg)

    def after_train_iter(runner_, batch_idx, data_batch=None, outputs=None):
        losses.append(float(outputs['loss']))

    hook = Hook()
    hook.after_train_iter = after_train_iter
    runner.register_hook(hook)
    runner.train()
    assert len(losses) == 8
    assert sum(losses[-2:]) / 2 < 0.8 * sum(losses[:2]) / 2, losses
    metrics = runner.val_loop.run()
    assert {'gen1/mAP', 'gen1/mAP_50'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('gen1/mAP', 'gen1/mAP_50'))


def test_model_t_other_than_the_data_bins_is_a_clear_error(tiny_gen1):
    cfg = _point_at(load_config(MINI), tiny_gen1)
    cfg.model.time_steps = 3  # the pipeline still cuts 4 bins
    model = MODELS.build(cfg.model)
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    data = model.data_preprocessor(pseudo_collate([ds[0]]), True)
    with pytest.raises(ValueError, match='T=3 time steps, but its input '
                       'sequence has 4 time bins'):
        model(**data, mode='loss')
