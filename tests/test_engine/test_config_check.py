"""mmsnn.engine.config_check: an unregistered type or a bad spiking value
is refused before anything is built, naming the config key, the value and
the closest registered names; every shipped config passes."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmsnn.engine.config_check import check_config, unknown_types
from mmsnn.engine.tool_config import TEST_SECTIONS
from mmsnn.utils import ConfigValueError
from tests.conftest import REPO_ROOT, load_config

SNN = 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'


def checked(options, path=SNN, sections=()):
    cfg = load_config(path)
    cfg.merge_from_dict(options)
    with pytest.raises(ConfigValueError) as e:
        check_config(cfg, sections)
    return str(e.value)


@pytest.mark.parametrize('key, value, closest', [
    ('model.backbone.neuron_cfg.type', 'IFNeurn', "'IFNeuron'"),
    ('model.bbox_head.loss_cls.type', 'CrossEntropyLos',
     "'CrossEntropyLoss'"),
    ('model.train_cfg.assigner.type', 'GridAssignr', "'GridAssigner'"),
    ('model.test_cfg.nms.type', 'nmss', "'nms'"),  # an op of mmcv.ops
    ('train_dataloader.dataset.pipeline.0.type', 'LoadImageFromFil',
     "'LoadImageFromFile'"),
    ('default_hooks.checkpoint.type', 'CheckpointHok', "'CheckpointHook'"),
    ('optim_wrapper.optimizer.type', 'SGDD', "'SGD'"),
    ('param_scheduler.0.type', 'LinearLr', "'LinearLR'"),
])
def test_unregistered_type_names_key_value_and_closest_names(
        key, value, closest):
    message = checked({key: value})
    assert f'{key}.type={value!r}'.replace('.type.type', '.type') in message
    assert 'closest: ' + closest in message


def test_a_registered_type_anywhere_passes_and_scopes_are_honoured():
    cfg = load_config(SNN)
    cfg.merge_from_dict({'model.backbone.neuron_cfg.type': 'mmdet.LIFNeuron',
                         'custom_hooks': [dict(type='FiniteLossHook')]})
    assert unknown_types(cfg) == []
    # A model-only check leaves the other parts to their tools.
    cfg.merge_from_dict({'custom_hooks': [dict(type='NoSuchHook')]})
    assert unknown_types(cfg, ('model', )) == []
    assert len(unknown_types(cfg)) == 1
    # tools/test.py checks what a testing runner builds: not the training
    # data or the optimizer.
    cfg.merge_from_dict({'custom_hooks': [],
                         'train_dataloader.dataset.pipeline.0.type': 'Nope',
                         'optim_wrapper.optimizer.type': 'Nope'})
    assert unknown_types(cfg, TEST_SECTIONS) == []
    assert len(unknown_types(cfg)) == 2


@pytest.mark.parametrize('key, value, culprit', [
    ('model.time_steps', 0, 'model.time_steps must be a positive integer'),
    ('model.backbone.time_steps', 'two',
     'model.backbone.time_steps must be a positive integer'),
    ('model.bbox_head.decode_mode', 'median',
     "model.bbox_head.decode_mode: decode_mode must be one of"),
    ('model.backbone.neuron_cfg.v_threshold', float('nan'),
     'model.backbone.neuron_cfg.v_threshold: IFNeuron: v_threshold must be '
     'a finite number > 0, got nan'),
    ('model.neck.neuron_cfg', dict(type='LIFNeuron', tau=0.5),
     'model.neck.neuron_cfg.tau: LIFNeuron: tau must be a finite number > 1'),
    ('model.backbone.neuron_cfg.surrogate_alpha', 0,
     'model.backbone.neuron_cfg.surrogate_alpha: IFNeuron'),
    # Wrong only together: both keys named.
    ('model.backbone.neuron_cfg',
     dict(type='IFNeuron', v_threshold=0.5, v_reset=0.75,
          reset_mode='hard'),
     'model.backbone.neuron_cfg.v_threshold, model.backbone.neuron_cfg.'
     'v_reset (wrong together): IFNeuron: v_reset must be a number below '
     'v_threshold=0.5'),
])
def test_spiking_values_name_their_key(key, value, culprit):
    assert culprit in checked({key: value})


def test_every_shipped_config_passes():
    configs = [c for c in glob.glob(osp.join(REPO_ROOT, 'configs/**/*.py'),
                                    recursive=True)
               if '/_base_/' not in c]
    assert len(configs) > 10
    for path in configs:
        check_config(Config.fromfile(path))


def test_a_pipeline_inside_a_hook_holds_transforms():
    """mmdet's PipelineSwitchHook (YOLOX, SpikeYOLO) carries transforms in
    its ``switch_pipeline``: they are looked up among the transforms."""
    cfg = load_config(SNN)
    cfg.merge_from_dict({'custom_hooks': [dict(
        type='PipelineSwitchHook', switch_epoch=1,
        switch_pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackDetInput')])]})
    found = unknown_types(cfg)
    assert len(found) == 1
    assert "custom_hooks.0.switch_pipeline.1.type='PackDetInput'" in found[0]
    assert "closest: 'PackDetInputs'" in found[0]
