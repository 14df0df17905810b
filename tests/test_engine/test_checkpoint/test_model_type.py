"""The model a checkpoint was trained as is read from the config text in its
meta (parsed, never run) and compared part by part, neurons included."""
import pytest

from mmsnn.engine.checkpoint import model_type_mismatch
from tests.conftest import tiny_snn_yolov3_cfg
from tests.test_engine.test_checkpoint.checkpoints import (ann_twin_text,
                                                           model_text)

# What reads checkpoints' config texts sees them as users' runs write them.
pytestmark = pytest.mark.usefixtures('yapf_formatting')


def test_ann_twin_under_snn_config_differs_in_each_part():
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    checkpoint = dict(meta=dict(cfg=ann_twin_text(model_cfg)))
    assert sorted(model_type_mismatch(model_cfg, checkpoint).split(', ')) \
        == [f'{part}.neuron_cfg LeakyReLU (config: IFNeuron)'
            for part in ('backbone', 'bbox_head', 'neck')]


def test_same_model_or_no_config_text_is_no_mismatch():
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    same = dict(meta=dict(cfg=model_text(model_cfg)))
    assert model_type_mismatch(model_cfg, same) is None
    assert model_type_mismatch(model_cfg, dict(meta={})) is None
    assert model_type_mismatch(model_cfg, {}) is None
    # A text that is not Python is not compared (nor executed).
    broken = dict(meta=dict(cfg='model = dict(type=)'))
    assert model_type_mismatch(model_cfg, broken) is None
