"""Shared helpers: tiny models so the suite fits CI's budget on 2 cores."""
import copy
import os
import os.path as osp

import mmengine.config.config as mmengine_config
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmsnn  # noqa: F401  (registers the components)
from mmsnn.models.backbones.spiking_darknet import scale_channels

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# Tiny tensors gain nothing from intra-op threads and lose a lot when the
# cores are shared: one thread here and in the tools the tests start.
os.environ.setdefault('OMP_NUM_THREADS', '1')
torch.set_num_threads(1)
# Neurons default to backend='auto' (compiled: 10-20 s of compilation per
# variant); tiny test models would mostly compile. The tests that check the
# compiled kernels ask for them explicitly.
os.environ.setdefault('MMSNN_NEURON_BACKEND', 'fused')

# mmengine formats every config text it logs, dumps or stores in a
# checkpoint's meta with yapf: six calls per training run, about two thirds
# of a tiny run's time. Here the text stays unformatted (valid Python all
# the same, and mmsnn reads it by parsing); the tools the tests fork get
# this too (tests/test_tools/tool_runner.py preloads this file). Tests of
# what reads formatted text ask for the fixture `yapf_formatting`.
_format_code = mmengine_config.FormatCode
mmengine_config.FormatCode = lambda text, **kwargs: (text, False)


@pytest.fixture
def yapf_formatting(monkeypatch):
    """Config texts formatted by yapf, as in users' runs."""
    monkeypatch.setattr(mmengine_config, 'FormatCode', _format_code)


def repo_path(*parts):
    return osp.join(REPO_ROOT, *parts)


def narrow_yolov3(model_cfg, widen_factor=1 / 16, stage_blocks=(1, 1, 1, 1, 1)):
    """Shrink a (spiking or ANN) YOLOv3 model config in place, keeping its
    types and options; channels stay consistent between the three parts."""
    backbone = model_cfg['backbone']
    if backbone['type'] != 'SpikingDarknet':
        return model_cfg  # mmdet's Darknet has no width option: keep it
    backbone.update(widen_factor=widen_factor, stage_blocks=stage_blocks)
    c = [scale_channels(x, widen_factor) for x in (128, 256, 512, 1024)]
    model_cfg['neck'].update(in_channels=[c[3], c[2], c[1]],
                             out_channels=[c[2], c[1], c[0]])
    model_cfg['bbox_head'].update(in_channels=[c[2], c[1], c[0]],
                                  out_channels=[c[3], c[2], c[1]])
    return model_cfg


def ann_twin(model_cfg):
    """A copy of a spiking YOLOv3 model config whose neurons are LeakyReLU
    (0.1), as configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py makes the ANN twin."""
    ann = copy.deepcopy(model_cfg)
    for part in ('backbone', 'neck', 'bbox_head'):
        ann[part]['neuron_cfg'] = dict(type='LeakyReLU', negative_slope=0.1)
    return ann


def load_config(rel_path):
    init_default_scope('mmdet')
    return Config.fromfile(repo_path(rel_path))


def tiny_snn_yolov3_cfg(time_steps=2, num_classes=3, **head_kwargs):
    """The paper's model, narrow and shallow, built from the VOC config."""
    cfg = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    model = narrow_yolov3(cfg.model)
    model.time_steps = time_steps
    model.bbox_head.num_classes = num_classes
    model.bbox_head.update(head_kwargs)
    return model


def fake_batch(model, batch_size=2, size=64, num_boxes=2, seed=0):
    """Inputs and data samples as a data loader would give them."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append((torch.rand(3, size, size, generator=g) * 255).byte())
        sample = DetDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            scale_factor=(1., 1.), pad_shape=(size, size),
            batch_input_shape=(size, size)))
        xy = torch.rand(num_boxes, 2, generator=g) * size / 2
        wh = torch.rand(num_boxes, 2, generator=g) * size / 2 + 4
        sample.gt_instances = InstanceData(
            bboxes=torch.cat([xy, xy + wh], 1).clamp(0, size),
            labels=torch.randint(0, 3, (num_boxes, ), generator=g))
        samples.append(sample)
    return model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), training=True)


@pytest.fixture
def tiny_snn():
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(tiny_snn_yolov3_cfg())


def ems_yolo_cfg(arch='res10-ee', num_classes=4, time_steps=3,
                 widen_factor=0.25):
    """EMS-YOLO's COCO config for ``arch``, narrowed by EMS-YOLO's
    ``width_multiple`` (``widen_factor``), its three parts' channels kept
    consistent."""
    from mmsnn.models.layers.ms_blocks import make_divisible
    cfg = load_config(
        'configs/ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py')
    model = cfg.model
    model.time_steps = time_steps
    model.backbone.update(arch=arch, widen_factor=widen_factor)
    channels = [make_divisible(c * widen_factor) for c in (256, 512)]
    model.neck.update(arch=arch, widen_factor=widen_factor,
                      in_channels=channels)
    model.bbox_head.update(num_classes=num_classes, in_channels=channels)
    return model


def fit_one_batch(model, cfg, steps=12):
    """Train ``model`` with the config's optimizer on the first batch of
    its (unshuffled) train loader, ``steps`` times; returns the losses."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(
        dict(cfg.train_dataloader, sampler=dict(type='DefaultSampler',
                                                shuffle=False)), seed=0)
    data = model.data_preprocessor(next(iter(loader)), True)
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    model.train()
    losses = []
    for _ in range(steps):
        loss, _ = model.parse_losses(
            model.loss(data['inputs'], data['data_samples']))
        optim.update_params(loss)
        losses.append(loss.item())
    return losses
