"""The EMS-YOLO converter on synthetic checkpoints with their exact keys
and shapes (tests/ems_yolo_reference.py builds their model's layers)."""
import copy

import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.conversion import (convert_ems_yolo_checkpoint,
                              convert_ems_yolo_state_dict, ems_yolo_layers)
from mmsnn.utils import InputError
from ..conftest import ems_yolo_cfg, tiny_snn_yolov3_cfg
from ..ems_yolo_reference import EMSYOLOReference

ARCHS = ['res10-ee', 'res18-ee', 'resnet10', 'resnet18', 'resnet34',
         'resnet34-cat']


def theirs(arch, num_classes=4, seed=0):
    torch.manual_seed(seed)
    return EMSYOLOReference(arch, num_classes, 2, width_multiple=0.25)


def ours(arch, num_classes=4):
    return MODELS.build(ems_yolo_cfg(arch, num_classes, time_steps=2))


@pytest.mark.parametrize('arch', ARCHS)
def test_every_key_moves(arch):
    source = theirs(arch).state_dict()
    model = ours(arch)
    state = convert_ems_yolo_state_dict(source, model)
    assert list(state) == list(model.state_dict())
    # the anchors are checked, not copied; every other tensor is used once
    assert len(state) == len(source) - 1
    model.load_state_dict(state, strict=True)
    moved = {id(t) for t in state.values()}
    assert len(moved) == len(state)


def test_keys_land_where_their_layers_are():
    source = theirs('resnet34').state_dict()
    state = convert_ems_yolo_state_dict(source, ours('resnet34'))
    pairs = {
        'backbone.stem.conv.weight': 'model.0.conv.weight',
        'backbone.stem.bn.running_var': 'model.0.bn.bn.running_var',
        'backbone.layer1.0.shortcut.conv.weight': 'model.1.shortcut.2.weight',
        'backbone.layer1.2.conv2.bn.bias':
        'model.2.1.residual_function.5.bn.bias',
        'backbone.layer3.5.conv1.conv.weight':
        'model.6.4.residual_function.1.weight',
        'neck.top_layer.conv1.conv.weight':
        'model.9.residual_function.1.weight',
        'neck.p4_layer.shortcut.bn.weight': 'model.14.shortcut.3.bn.weight',
        'bbox_head.convs_pred.1.bias': 'model.15.m.1.bias',
    }
    for ours_key, their_key in pairs.items():
        assert torch.equal(state[ours_key], source[their_key]), ours_key
    layers = ems_yolo_layers(ours('res10-ee'))
    assert [layer.index for layer in layers] == [0, 1, 2, 3, 4, 5, 6, 7, 10]


def test_refusals_name_the_first_bad_key():
    model = ours('res18-ee')
    source = theirs('res18-ee').state_dict()
    missing = copy.copy(source)
    del missing['model.6.residual_function.5.bn.running_mean']
    with pytest.raises(InputError,
                       match=r"no 'model.6.residual_function.5.bn.running_"
                       r"mean'.*yaml layer 6"):
        convert_ems_yolo_state_dict(missing, model)
    wrong = copy.copy(source)
    wrong['model.15.m.0.weight'] = torch.zeros(255, 64, 1, 1)
    with pytest.raises(InputError, match=r"'model.15.m.0.weight'.*\(255"):
        convert_ems_yolo_state_dict(wrong, model)
    stray = copy.copy(source)
    stray['model.3.extra'] = torch.zeros(1)
    with pytest.raises(InputError, match='model.3.extra'):
        convert_ems_yolo_state_dict(stray, model)
    with pytest.raises(InputError, match='Detect layer at model.11.*'
                       'model.15'):
        convert_ems_yolo_state_dict(theirs('res10-ee').state_dict(), model)
    anchors = copy.copy(source)
    anchors['model.15.anchors'] = anchors['model.15.anchors'] * 2
    with pytest.raises(InputError, match='model.15.anchors'):
        convert_ems_yolo_state_dict(anchors, model)
    with pytest.raises(InputError, match='EMSResNet backbone'):
        convert_ems_yolo_state_dict(source,
                                    MODELS.build(tiny_snn_yolov3_cfg()))


def test_checkpoint_files(tmp_path):
    model = ours('res10-ee')
    source = theirs('res10-ee', seed=3).state_dict()
    path = tmp_path / 'theirs.pt'
    torch.save({'model': source}, path)
    convert_ems_yolo_checkpoint(str(path), model)
    torch.testing.assert_close(model.neck.p5_layer.shortcut.conv.weight,
                               source['model.6.shortcut.1.weight'])
    pickled = tmp_path / 'pickled.pt'
    torch.save({'model': EMSYOLOReference('res10-ee', 4, 2, 0.25)}, pickled)
    with pytest.raises(InputError, match='weights_only=True'):
        convert_ems_yolo_checkpoint(str(pickled), model)
    other = tmp_path / 'other.pt'
    torch.save({'model': {'module_list.0.Conv2d.weight': torch.zeros(1)}},
               other)
    with pytest.raises(InputError, match=r"'model.\{i\}.conv.weight'"):
        convert_ems_yolo_checkpoint(str(other), model)
