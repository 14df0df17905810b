"""An ANN checkpoint that does not fit the SNN is named key by key before it
"loads" (mmengine would only warn and leave those layers random)."""
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.engine.checkpoint import check_load_from, check_load_from_shapes
from mmsnn.utils import InputError
from tests.conftest import narrow_yolov3, tiny_snn_yolov3_cfg
from tests.test_engine.test_checkpoint.checkpoints import save


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
    with pytest.raises(InputError, match='wide.pth does not fit'):
        check_load_from(snn, path)


def test_other_num_classes_is_fine_tuning_but_not_testing(snn, tmp_path):
    torch.manual_seed(0)
    other = MODELS.build(tiny_snn_yolov3_cfg(num_classes=5))
    path = save(other, tmp_path / 'coco.pth')
    check_load_from_shapes(snn, path)  # only the prediction convs differ
    check_load_from(snn, path)
    with pytest.raises(InputError, match='bbox_head.convs_pred.0.weight'):
        check_load_from_shapes(snn, path, allow_class_mismatch=False)
    check_load_from_shapes(snn, save(snn, tmp_path / 'same.pth'),
                           allow_class_mismatch=False)


def test_checkpoint_of_another_model_is_refused(snn, tmp_path):
    path = str(tmp_path / 'other.pth')
    torch.save({'state_dict': torch.nn.Linear(2, 2).state_dict()}, path)
    with pytest.raises(InputError, match='No parameter of checkpoint'):
        check_load_from_shapes(snn, path)
