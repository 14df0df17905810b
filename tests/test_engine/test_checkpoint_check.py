"""An ANN checkpoint that does not fit the SNN is named key by key before it
"loads" (mmengine would only warn and leave those layers random)."""
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.engine import check_checkpoint_file, check_load_from_shapes
from mmsnn.utils import InputError
from tests.conftest import narrow_yolov3, tiny_snn_yolov3_cfg


def save(module, path):
    torch.save({'state_dict': module.state_dict(), 'meta': {}}, path)
    return str(path)


@pytest.fixture
def snn():
    torch.manual_seed(0)
    return MODELS.build(tiny_snn_yolov3_cfg(num_classes=3))


def test_missing_checkpoint_file_is_named(tmp_path):
    with pytest.raises(InputError, match='load_from file .*nope.pth'):
        check_checkpoint_file(str(tmp_path / 'nope.pth'), 'load_from')
    with pytest.raises(InputError, match='directory'):
        check_checkpoint_file(str(tmp_path), 'Checkpoint')
    check_checkpoint_file('https://example.com/x.pth')  # left to mmengine


def test_checkpoint_of_other_width_is_refused_naming_keys(snn, tmp_path):
    wider = tiny_snn_yolov3_cfg(num_classes=3)
    narrow_yolov3(wider, widen_factor=1 / 8)
    path = save(MODELS.build(wider), tmp_path / 'wide.pth')
    with pytest.raises(InputError) as e:
        check_load_from_shapes(snn, path)
    msg = str(e.value)
    assert 'wide.pth' in msg
    assert 'backbone.conv1.conv.weight: checkpoint (4, 3, 3, 3), model ' \
        '(2, 3, 3, 3)' in msg
    assert 'widen_factor' in msg


def test_other_num_classes_is_fine_tuning_but_not_testing(snn, tmp_path):
    torch.manual_seed(0)
    other = MODELS.build(tiny_snn_yolov3_cfg(num_classes=5))
    path = save(other, tmp_path / 'coco.pth')
    check_load_from_shapes(snn, path)  # only the prediction convs differ
    with pytest.raises(InputError, match='bbox_head.convs_pred.0.weight'):
        check_load_from_shapes(snn, path, allow_class_mismatch=False)
    check_load_from_shapes(snn, save(snn, tmp_path / 'same.pth'),
                           allow_class_mismatch=False)


def test_checkpoint_of_another_model_is_refused(snn, tmp_path):
    path = str(tmp_path / 'other.pth')
    torch.save({'state_dict': torch.nn.Linear(2, 2).state_dict()}, path)
    with pytest.raises(InputError, match='No parameter of checkpoint'):
        check_load_from_shapes(snn, path)
