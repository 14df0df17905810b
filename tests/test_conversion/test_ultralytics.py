"""The ultralytics converter on checkpoints in the authors' exact format.

``UltralyticsYOLOv3SPP`` below rebuilds the authors' model (their
``models.py`` on ``cfg/my_yolov3.cfg``: ultralytics YOLOv3-SPP with
spikingjelly multi-step ``Conv2d`` / ``BatchNorm2d`` / ``IFNode`` modules,
the input repeated T times, ``route`` concatenating on channels, shortcuts
adding, prediction convs summed over T) from the cfg's section list, in
plain torch + spikingjelly and at any width. Its ``state_dict`` has exactly
their keys (``module_list.{i}.Conv2d.weight`` ...), so it makes synthetic
checkpoints in their format and gives their raw outputs to compare with.
"""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from spikingjelly.activation_based import functional, layer, neuron, surrogate

from mmsnn.conversion import (convert_ultralytics_state_dict,
                              load_ultralytics_checkpoint,
                              ultralytics_layer_map)
from mmsnn.models.backbones.spiking_darknet import scale_channels
from mmsnn.utils import InputError
from tests.conftest import load_config, narrow_yolov3

AUTHORS = 'configs/snn_yolov3/snn-yolov3-spp_d53_8xb8-416-100e_voc2012_t6_authors.py'


def yolov3_spp_sections(width=1.0, blocks=(1, 2, 8, 8, 4), num_classes=20):
    """The section list of ultralytics' yolov3-spp.cfg (the authors'
    cfg/my_yolov3.cfg), scaled in width."""
    def c(n):
        return scale_channels(n, width) if width != 1 else n

    na_out = 3 * (5 + num_classes)
    sec = [('conv', c(32), 3, 1)]
    stage_ends = []
    for s, n in enumerate(blocks):
        out = c(64 * 2**s)
        sec.append(('conv', out, 3, 2))
        for _ in range(n):
            sec += [('conv', out // 2, 1, 1), ('conv', out, 3, 1),
                    ('shortcut', -3)]
        stage_ends.append(len(sec) - 1)

    def block(o):
        return [('conv', o, 1, 1), ('conv', 2 * o, 3, 1)] * 2 + [
            ('conv', o, 1, 1)]

    o = c(512)
    sec += [('conv', o, 1, 1), ('conv', 2 * o, 3, 1), ('conv', o, 1, 1),
            ('maxpool', 5), ('route', [-2]), ('maxpool', 9), ('route', [-4]),
            ('maxpool', 13), ('route', [-1, -3, -5, -6]),
            ('conv', o, 1, 1), ('conv', 2 * o, 3, 1), ('conv', o, 1, 1),
            ('conv', 2 * o, 3, 1), ('pred', na_out), ('yolo', )]
    for level, o in ((1, c(256)), (2, c(128))):
        sec += [('route', [-4]), ('conv', o, 1, 1), ('upsample', ),
                ('route', [-1, stage_ends[4 - level]])] + block(o) + [
                    ('conv', 2 * o, 3, 1), ('pred', na_out), ('yolo', )]
    return sec


class UltralyticsYOLOv3SPP(nn.Module):
    """The authors' SNN (see module docstring); ``forward`` returns the
    three prediction maps summed over T, ``[B, 75, h, w]`` each."""

    def __init__(self, sections, time_steps):
        super().__init__()
        self.sections, self.time_steps = sections, time_steps
        self.module_list = nn.ModuleList()
        channels = [3]
        for i, (kind, *args) in enumerate(sections):
            m = nn.Sequential()
            if kind in ('conv', 'pred'):
                out, k, s = (args + [1, 1])[:3]
                m.add_module('Conv2d', layer.Conv2d(
                    channels[-1], out, k, s, k // 2, bias=kind == 'pred'))
                if kind == 'conv':
                    m.add_module('BatchNorm2d', layer.BatchNorm2d(out))
                    m.add_module('activation', neuron.IFNode(
                        surrogate_function=surrogate.ATan()))
            elif kind == 'route':
                out = sum(channels[j + 1 if j > 0 else j] for j in args[0])
            else:
                out = channels[-1]
            self.module_list.append(m)
            channels.append(out)
        functional.set_step_mode(self, 'm')

    def forward(self, x):
        functional.reset_net(self)
        x = x.unsqueeze(0).repeat(self.time_steps, 1, 1, 1, 1)
        outs, preds = [], []
        for (kind, *args), m in zip(self.sections, self.module_list):
            if kind == 'shortcut':
                x = x + outs[len(outs) + args[0]]
            elif kind == 'route':
                i = len(outs)
                parts = [outs[j if j > 0 else i + j] for j in args[0]]
                x = torch.cat(parts, dim=2) if len(parts) > 1 else parts[0]
            elif kind == 'maxpool':
                x = torch.stack([F.max_pool2d(xt, args[0], 1, args[0] // 2)
                                 for xt in x])
            elif kind == 'upsample':
                x = torch.stack([F.interpolate(xt, scale_factor=2)
                                 for xt in x])
            elif kind == 'yolo':
                preds.append(x.sum(0))
            else:
                x = m(x)
            outs.append(x)
        return preds


def randomize(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                if 'running_var' in name:
                    t.copy_(torch.rand(t.shape, generator=g) + 0.5)
                else:
                    t.copy_(torch.randn(t.shape, generator=g) * 0.5)
    return model


def tiny_authors_model(time_steps):
    cfg = load_config(AUTHORS).model
    narrow_yolov3(cfg, widen_factor=1 / 8)
    cfg.time_steps = time_steps
    return MODELS.build(cfg).eval()


def test_layer_map_is_the_cfg_order_at_full_size():
    model = MODELS.build(load_config(AUTHORS).model)
    target = model.state_dict()
    layers = ultralytics_layer_map(target)
    assert len(layers) == 76
    by_index = {layer.index: layer for layer in layers}
    assert [i for i, l in by_index.items() if l.kind == 'pred'] == [
        88, 100, 112]
    assert by_index[75].prefix == 'neck.detect1.conv1'
    assert by_index[77].prefix == 'neck.detect1.conv3.conv1'
    assert by_index[84].prefix == 'neck.detect1.conv3.conv2'
    assert by_index[87].prefix == 'bbox_head.convs_bridge.0'
    assert by_index[91].prefix == 'neck.conv1'
    assert by_index[103].prefix == 'neck.conv2'
    assert by_index[73].prefix == 'backbone.conv_res_block5.res3.conv2'
    assert 74 not in by_index  # the last shortcut
    # a synthetic checkpoint in their exact format (keys and shapes of their
    # cfg, random values) converts and loads strictly
    theirs = UltralyticsYOLOv3SPP(yolov3_spp_sections(), time_steps=1)
    source = theirs.state_dict()
    assert 'module_list.88.Conv2d.bias' in source
    assert 'module_list.87.Conv2d.bias' not in source
    assert source['module_list.84.Conv2d.weight'].shape == (512, 2048, 1, 1)
    assert source['module_list.112.Conv2d.weight'].shape == (75, 256, 1, 1)
    converted = convert_ultralytics_state_dict(source, target)
    model.load_state_dict(converted, strict=True)
    torch.testing.assert_close(model.bbox_head.convs_pred[2].bias,
                               source['module_list.112.Conv2d.bias'])


def test_planted_values_land_where_they_should():
    model = tiny_authors_model(time_steps=1)
    target = model.state_dict()
    sections = yolov3_spp_sections(width=1 / 8, blocks=(1, 1, 1, 1, 1))
    theirs = UltralyticsYOLOv3SPP(sections, time_steps=1)
    source = {k: torch.zeros_like(v) for k, v in theirs.state_dict().items()}
    concat = next(i for i, s in enumerate(sections)
                  if s[0] == 'route' and len(s[1]) == 4)
    spp_out, preds = concat + 1, [
        i for i, s in enumerate(sections) if s[0] == 'pred']
    assert (spp_out, preds) == (30, [34, 46, 58])  # 21 backbone layers
    c = source[f'module_list.{spp_out}.Conv2d.weight'].shape[1] // 4
    # SPP output conv: their input block 0 is p13, mmdet's block 3
    source[f'module_list.{spp_out}.Conv2d.weight'][2, 0 * c + 1] = 7.0
    source[f'module_list.{spp_out}.Conv2d.weight'][2, 3 * c + 1] = 5.0  # x
    source['module_list.46.Conv2d.bias'][30] = 3.0
    # 0 stem, 1 stage-1 downsample, 2-3 its block, 4 shortcut, 5 stage 2...
    source['module_list.6.BatchNorm2d.running_mean'][1] = 2.0
    out = convert_ultralytics_state_dict(source, target)
    spp_w = out['neck.detect1.conv3.conv2.conv.weight']
    assert spp_w[2, 3 * c + 1] == 7.0 and spp_w[2, 0 * c + 1] == 5.0
    assert out['bbox_head.convs_pred.1.bias'][30] == 3.0
    assert out['backbone.conv_res_block2.res0.conv1.bn.running_mean'][1] == 2
    assert sum(float(v.abs().sum()) for k, v in out.items()
               if 'num_batches' not in k) == 7 + 5 + 3 + 2


@pytest.mark.parametrize('time_steps', [1, 3])
def test_converted_model_reproduces_their_raw_outputs(time_steps):
    torch.manual_seed(0)
    theirs = randomize(UltralyticsYOLOv3SPP(
        yolov3_spp_sections(width=1 / 8, blocks=(1, 1, 1, 1, 1)),
        time_steps)).eval()
    ours = tiny_authors_model(time_steps)
    ours.load_state_dict(
        convert_ultralytics_state_dict(theirs.state_dict(),
                                       ours.state_dict()), strict=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = theirs(x.clone())
        got = ours._forward(x.clone())[0]
    assert any(float(e.abs().max()) > 0.1 for e in expected)
    for e, g in zip(expected, got):
        torch.testing.assert_close(g, e, rtol=1e-4, atol=1e-4)


def test_refusals_name_the_first_bad_key(tmp_path):
    model = tiny_authors_model(time_steps=1)
    target = model.state_dict()
    source = UltralyticsYOLOv3SPP(
        yolov3_spp_sections(width=1 / 8, blocks=(1, 1, 1, 1, 1)),
        time_steps=1).state_dict()
    missing = copy.copy(source)
    del missing['module_list.31.BatchNorm2d.running_var']
    with pytest.raises(InputError,
                       match='module_list.31.BatchNorm2d.running_var'):
        convert_ultralytics_state_dict(missing, target)
    wrong = copy.copy(source)
    wrong['module_list.34.Conv2d.weight'] = torch.zeros(255, 128, 1, 1)
    with pytest.raises(InputError,
                       match=r"module_list.34.Conv2d.weight.*\(255"):
        convert_ultralytics_state_dict(wrong, target)
    extra = copy.copy(source)
    extra['module_list.200.Conv2d.weight'] = torch.zeros(1)
    with pytest.raises(InputError, match='41 conv layers.*has 40'):
        convert_ultralytics_state_dict(extra, target)
    stray = copy.copy(source)
    stray['module_list.3.BatchNorm2d.extra'] = torch.zeros(1)
    with pytest.raises(InputError, match='module_list.3.BatchNorm2d.extra'):
        convert_ultralytics_state_dict(stray, target)
    # file level: weights_only, 'model' entry
    path = tmp_path / 'theirs.pt'
    torch.save({'model': source, 'epoch': 3, 'training_results': 'x'}, path)
    assert load_ultralytics_checkpoint(str(path)).keys() == source.keys()
    bad = tmp_path / 'bad.pt'
    torch.save({'model': nn.Conv2d(1, 1, 1)}, bad)
    with pytest.raises(InputError, match='weights_only=True'):
        load_ultralytics_checkpoint(str(bad))

