"""One owner of T: setting it once writes every time-aware module once."""
from collections import Counter

import pytest
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.models.time import owner as time_owner
from mmsnn.models.time.owner import TimeStepsMixin
from tests.conftest import load_config, narrow_yolov3, tiny_snn_yolov3_cfg


def stored_name(module):
    """Where a module keeps its T: owners behind a property."""
    return '_time_steps' if isinstance(module, TimeStepsMixin) else \
        'time_steps'


@pytest.fixture
def writes(monkeypatch):
    """Counts every write of a T attribute, per (module id, name)."""
    counts = Counter()
    setattr_ = nn.Module.__setattr__

    def counting(self, name, value):
        if name in ('time_steps', '_time_steps'):
            counts[id(self), name] += 1
        setattr_(self, name, value)

    monkeypatch.setattr(nn.Module, '__setattr__', counting)
    return counts


def time_aware(model):
    return [m for m in model.modules() if hasattr(m, 'time_steps')]


def test_setting_t_once_writes_each_module_once(writes):
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=2))
    modules = time_aware(model)
    # neurons of the three parts, the parts, the detector
    assert len(modules) > 20
    writes.clear()
    model.time_steps = 6
    for m in modules:
        assert writes[id(m), stored_name(m)] == 1, type(m).__name__
        assert m.time_steps == 6
    # no owner's setter ran but the one called: nothing recursed
    owners = [m for m in modules if isinstance(m, TimeStepsMixin)]
    assert len(owners) == 4  # detector, backbone, neck, head
    assert [m for m in owners if writes[id(m), 'time_steps']] == [model]
    assert sum(writes.values()) == len(modules) + 1


def test_parts_built_inside_an_owner_do_not_walk(monkeypatch, writes):
    walks = []
    set_time_steps = time_owner.set_time_steps

    def counting(model, time_steps):
        walks.append(type(model).__name__)
        set_time_steps(model, time_steps)

    monkeypatch.setattr(time_owner, 'set_time_steps', counting)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=3))
    assert walks == ['SNNYOLOV3']  # the backbone, neck and head deferred
    for m in time_aware(model):
        assert m.time_steps == 3
        # at most its own constructor's value, then the owner's one walk
        assert writes[id(m), stored_name(m)] <= 2, type(m).__name__


def test_container_in_a_stock_detector_owns_t(monkeypatch):
    cfg = load_config('configs/mixing/yolov3_snn-d53_8xb8-416-100e_voc0712_t4.py')
    model_cfg = cfg.model
    model_cfg.type = 'YOLOV3'  # stock: the TimeSequential owns T
    del model_cfg.time_steps
    model_cfg.backbone.time_steps = 3
    model_cfg.backbone.modules[0].update(widen_factor=1 / 16,
                                         stage_blocks=(1, ) * 5)
    walks = []
    set_time_steps = time_owner.set_time_steps
    monkeypatch.setattr(
        time_owner, 'set_time_steps',
        lambda m, t: (walks.append(type(m).__name__), set_time_steps(m, t)))
    backbone = MODELS.build(model_cfg.backbone)
    assert walks == ['TimeSequential']
    assert {m.time_steps for m in time_aware(backbone)} == {3}


def test_model_time_steps_option_still_works():
    cfg = load_config('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
    cfg.merge_from_dict({'model.time_steps': 4})
    narrow_yolov3(cfg.model)
    model = MODELS.build(cfg.model)
    assert {m.time_steps for m in time_aware(model)} == {4}
