"""Every config of configs/mixing builds, trains and predicts, shrunk to a
tiny model (depth-18 ResNet with 8 base channels, Darknet at 1/16 width,
64x64 images, T=2); the parts it says are spiking spike, the others not."""
import glob
import os.path as osp

import pytest
import torch
from mmdet.models.backbones import Darknet
from mmdet.registry import MODELS
from mmengine.config import ConfigDict

from mmsnn.models.backbones.spiking_darknet import scale_channels
from mmsnn.models.layers import spiking_modules
from mmsnn.utils.config_tree import iter_sub_configs
from tests.conftest import REPO_ROOT, fake_batch, load_config

CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs/mixing/*.py')))

# Which detector parts each config says are spiking.
SPIKING_PARTS = {
    'yolov3_snn-d53_8xb8-416-100e_voc0712_t4.py':
    dict(backbone=True, neck=False, bbox_head=False),
    'snn-yolov3_ann-d53_8xb8-416-100e_voc0712_t4.py':
    dict(backbone=False, neck=True, bbox_head=True),
    'retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py':
    dict(backbone=True, neck=True, bbox_head=False),
    'faster-rcnn_snn-r50_fpn_1x_voc0712_t4.py':
    dict(backbone=True, neck=False, rpn_head=False, roi_head=False),
    'fcos_snn-r50_snn-fpn_1x_voc0712_t4.py':
    dict(backbone=True, neck=True, bbox_head=False),
    'retinanet_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py':
    dict(backbone=True, neck=True, bbox_head=True),
    'fcos_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py':
    dict(backbone=True, neck=True, bbox_head=True),
}

TINY_RESNET = dict(depth=18, base_channels=8, init_cfg=None)
R18_CHANNELS = [8, 16, 32, 64]  # BasicBlock stages of base_channels=8
D53_WIDEN = 1 / 16
C = [scale_channels(c, D53_WIDEN) for c in (128, 256, 512, 1024)]
# Per registered type: the fields that make it tiny and keep the channels
# of consecutive parts consistent.
TINY = {
    'ResNet': TINY_RESNET,
    'SpikingResNet': TINY_RESNET,
    'FPN': dict(in_channels=R18_CHANNELS, out_channels=8),
    'RetinaHead': dict(in_channels=8, feat_channels=8, stacked_convs=1),
    'CMDRetinaHead': dict(in_channels=8, feat_channels=8, stacked_convs=1),
    # GN's default 32 groups need 32 channels: 4 groups of 2 here
    'FCOSHead': dict(in_channels=8, feat_channels=8, stacked_convs=1,
                     norm_cfg=dict(type='GN', num_groups=4,
                                   requires_grad=True)),
    'CMDFCOSHead': dict(in_channels=8, feat_channels=8, stacked_convs=1,
                        norm_cfg=dict(type='GN', num_groups=4,
                                      requires_grad=True)),
    'RPNHead': dict(in_channels=8, feat_channels=8),
    'SingleRoIExtractor': dict(out_channels=8),
    'Shared2FCBBoxHead': dict(in_channels=8, fc_out_channels=16),
    'SpikingDarknet': dict(widen_factor=D53_WIDEN, stage_blocks=(1, ) * 5),
    'YOLOV3Neck': dict(in_channels=C[:0:-1], out_channels=C[2::-1]),
    'SpikingYOLOV3Neck': dict(in_channels=C[:0:-1], out_channels=C[2::-1]),
    'YOLOV3Head': dict(in_channels=C[2::-1], out_channels=C[:0:-1]),
    'CMDYOLOV3Head': dict(in_channels=C[2::-1], out_channels=C[:0:-1]),
}
# mmdet's ANN Darknet has no width option: give it SpikingDarknet's tiny
# layout (its stem is fixed at 32 channels), so both output C[1:].
TINY_DARKNET_ARCH = {
    53: ((1, ) * 5, ((32, C[0] // 2), (C[0] // 2, C[0]), (C[0], C[1]),
                     (C[1], C[2]), (C[2], C[3])))
}


def tiny_model_cfg(model_cfg, time_steps=2):
    """Shrink a mixing config's model in place: tiny parts, T everywhere,
    and every score kept so untrained models predict something."""
    for sub in iter_sub_configs(model_cfg):
        sub.update(TINY.get(sub.get('type'), {}))
        if 'time_steps' in sub:
            sub['time_steps'] = time_steps
        if 'score_thr' in sub:
            sub['score_thr'] = 0.
    return model_cfg


def build_tiny(config, monkeypatch):
    cfg = load_config(config)
    if any(sub.get('type') == 'Darknet' for sub in iter_sub_configs(cfg.model)):
        # only mmdet's Darknet: SpikingDarknet scales what it reads here
        monkeypatch.setattr(Darknet, 'arch_settings', TINY_DARKNET_ARCH)
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(cfg.model))
    model.init_weights()
    return cfg, model


def test_mixing_configs_found():
    assert sorted(osp.basename(c) for c in CONFIGS) == sorted(SPIKING_PARTS)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_states_one_time_steps(config):
    cfg = load_config(config)
    assert cfg.custom_imports.imports == ['mmsnn']
    values = {sub['time_steps'] for sub in iter_sub_configs(cfg.model)
              if 'time_steps' in sub}
    assert values == {cfg.time_steps}, 'every part must use `time_steps`'
    # the detector owns T: one key, no part states its own
    assert cfg.model.time_steps == cfg.time_steps
    assert sum('time_steps' in sub for sub in iter_sub_configs(cfg.model)) == 1


@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_and_predicts_tiny(config, monkeypatch):
    cfg, model = build_tiny(config, monkeypatch)
    # the parts the config names as spiking hold neurons, the others none
    parts = SPIKING_PARTS[osp.basename(config)]
    for part, spiking in parts.items():
        has_neurons = next(spiking_modules(getattr(model, part)), None)
        assert (has_neurons is not None) == spiking, part

    data = fake_batch(model)
    losses = model.loss(data['inputs'], data['data_samples'])
    total, _ = model.parse_losses(losses)
    assert torch.isfinite(total)
    total.backward()
    first_conv = next(m for m in model.backbone.modules()
                      if isinstance(m, torch.nn.Conv2d))
    assert first_conv.weight.grad.abs().sum() > 0

    # A spiking part inside a stock detector keeps no state between calls:
    # the same images give the same predictions twice, and an image alone
    # gives what it gives inside the batch.
    model.eval()
    with torch.no_grad():
        batch = model.predict(data['inputs'], data['data_samples'])
        again = model.predict(data['inputs'], data['data_samples'])
        alone = model.predict(data['inputs'][1:], data['data_samples'][1:])
    assert len(batch) == 2
    for a, b in ((batch[0], again[0]), (batch[1], again[1]),
                 (batch[1], alone[0])):
        a, b = a.pred_instances, b.pred_instances
        assert len(a) > 0
        assert torch.allclose(a.bboxes, b.bboxes, atol=1e-4)
        assert torch.allclose(a.scores, b.scores, atol=1e-5)


def test_time_steps_mismatch_is_a_clear_error():
    # in a stock detector, which owns no T, each spiking part carries its own
    config = 'configs/mixing/retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py'
    cfg = load_config(config)
    model_cfg = tiny_model_cfg(cfg.model)
    model_cfg.type = 'RetinaNet'
    del model_cfg.time_steps
    model_cfg.backbone.time_steps = 2
    model_cfg.neck.time_steps = 3  # backbone folds T=2; 4 rows = 2 x 2
    model = MODELS.build(model_cfg)
    data = fake_batch(model)
    with pytest.raises(ValueError, match='time_steps=3.*time_steps=2'):
        model.loss(data['inputs'], data['data_samples'])


@pytest.mark.parametrize('config', CONFIGS)
def test_model_time_steps_option_reaches_every_part(config, monkeypatch):
    # `--cfg-options model.time_steps=3` (the one documented key) through
    # the config machinery; a T a part states itself is overridden
    cfg = load_config(config)
    cfg.merge_from_dict({'model.time_steps': 3})
    tiny_model_cfg(cfg.model, time_steps=3)
    if any(sub.get('type') == 'Darknet' for sub in iter_sub_configs(cfg.model)):
        monkeypatch.setattr(Darknet, 'arch_settings', TINY_DARKNET_ARCH)
    model = MODELS.build(ConfigDict(cfg.model))
    steps = {m.time_steps for m in model.modules() if hasattr(m, 'time_steps')}
    assert steps == {3}
    assert next(spiking_modules(model), None) is not None


def test_top_level_time_steps_option_of_a_stock_detector():
    # A stock detector's parts each carry T from the config's top-level
    # `time_steps`: set_config_time_steps (what the tools do for
    # `--cfg-options time_steps=6`) writes the new value into all of them.
    from mmsnn.models.layers import set_config_time_steps
    cfg = load_config(
        'configs/mixing/retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py')
    model_cfg = tiny_model_cfg(cfg.model)
    model_cfg.type = 'RetinaNet'
    del model_cfg.time_steps
    model_cfg.backbone.time_steps = 4
    model_cfg.neck.time_steps = 4
    assert set_config_time_steps(model_cfg, 3) == 2
    model = MODELS.build(model_cfg)
    assert {n.time_steps for _, n in spiking_modules(model)} == {3}


@pytest.mark.parametrize('config', [
    'configs/mixing/retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py',
    'configs/mixing/fcos_snn-r50_snn-fpn_1x_voc0712_t4.py',
    'configs/mixing/snn-yolov3_ann-d53_8xb8-416-100e_voc0712_t4.py',
    'configs/mixing/retinanet_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py',
])
def test_energy_tool_tells_spiking_from_ann_layers(config, monkeypatch):
    """Layers fed spikes count SOPs over T steps, layers fed real values
    count MACs: the energy tool reads this off the mixed model."""
    from mmsnn.analysis import SpikeOpAnalyzer
    _, model = build_tiny(config, monkeypatch)
    model.eval()
    data = fake_batch(model)
    analyzer = SpikeOpAnalyzer(model)
    # stock detectors have no time_steps: T is read off their parts
    assert analyzer.time_steps == 2
    analyzer.forward(data['inputs'], data['data_samples'])
    layers = {layer.name: layer for layer in analyzer.layers()}

    def check(layer, kind, steps):
        assert (layer.input == 'real-valued') == (kind == 'real'), layer
        assert layer.steps == steps, layer
        assert (layer.sops if kind == 'real' else layer.real_macs) == 0

    if 'snn-fpn' in config:  # RetinaNet, FCOS
        # the stem encodes once, every other backbone and FPN conv (FCOS's
        # extra conv on P5 included) is fed spikes (or spike counts) at
        # each of the T=2 steps
        check(layers.pop('backbone.conv1'), 'real', 1)
        for name in [n for n in layers if n.startswith(('backbone', 'neck'))]:
            check(layers.pop(name), 'spikes', 2)
        # the ANN head is fed firing rates (multiples of 1/2), once per
        # image and FPN level; a CMD head's towers and prediction convs are
        # fed spikes at each step of each level
        for layer in layers.values():
            assert layer.name.startswith('bbox_head')
            if '_cmd_' in config:
                check(layer, 'spikes', 2 * 5)
            else:
                check(layer, 'real', 5)
    else:
        # ANN backbone, once per image; the first conv of each neck scale
        # takes the backbone's real-valued features repeated over T (at
        # scales 2, 3 concatenated with upsampled spikes); every other
        # neck and head conv is fed spikes at each step.
        for name in [n for n in layers if n.startswith('backbone')]:
            check(layers.pop(name), 'real', 1)
        for i in (1, 2, 3):
            check(layers.pop(f'neck.1.detect{i}.conv1.conv'), 'real', 2)
        for layer in layers.values():
            check(layer, 'spikes', 2)
