"""Testing and inference refuse non-finite or unfitting checkpoints and warn
of one trained as another model type."""
import math

import pytest
import torch

from mmsnn.engine.checkpoint import (check_test_checkpoint,
                                     check_tool_checkpoint)
from mmsnn.utils import InputError
from tests.conftest import tiny_snn_yolov3_cfg
from tests.test_engine.test_checkpoint.checkpoints import (ann_twin_text,
                                                           save_run)

# What reads checkpoints' config texts sees them as users' runs write them.
pytestmark = pytest.mark.usefixtures('yapf_formatting')


def test_test_checkpoint_nonfinite_refused_other_model_type_warned(
        snn, tmp_path):
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    path = save_run(snn, tmp_path / 'ann.pth', 12, ann_twin_text(model_cfg))
    with pytest.warns(UserWarning, match='ann.pth was trained as another '
                      'model .*neck.neuron_cfg LeakyReLU'):
        check_test_checkpoint(snn, model_cfg, path)
    with torch.no_grad():
        snn.neck.detect1.conv1.bn.running_var[0] = math.inf
    path = save_run(snn, tmp_path / 'inf.pth', 12)
    with pytest.raises(InputError, match=r'inf.pth holds non-finite values '
                       r'in 1 tensor\(s\): state_dict.neck.detect1.conv1.bn.'
                       r'running_var \(inf in 1 of'):
        check_test_checkpoint(snn, model_cfg, path)


def test_tool_checkpoint_builds_the_model_to_compare(snn, tmp_path):
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    with pytest.raises(InputError, match='Checkpoint file .*nope.pth'):
        check_tool_checkpoint(model_cfg, str(tmp_path / 'nope.pth'))
    torch.manual_seed(1)
    path = save_run(snn, tmp_path / 'ok.pth', 3)
    check_tool_checkpoint(model_cfg, path)  # builds its own model
    other = tiny_snn_yolov3_cfg(num_classes=5)
    with pytest.raises(InputError, match='ok.pth does not fit'):
        check_tool_checkpoint(other, path)
