"""Partial neuron configs merge over the default (issue 17, point 5)."""
import pytest
from mmdet.registry import MODELS

from mmsnn.models.defaults import DEFAULT_NEURON_CFG, neuron_config
from mmsnn.models.neurons import spiking_modules
from tests.conftest import load_config, narrow_yolov3


def test_neuron_config_merges_partial_configs():
    assert neuron_config(None) == DEFAULT_NEURON_CFG
    assert neuron_config(dict(reset_mode='hard')) == dict(
        DEFAULT_NEURON_CFG, reset_mode='hard')
    default_type = DEFAULT_NEURON_CFG['type']
    assert neuron_config(dict(type=default_type, v_threshold=0.5)) == dict(
        DEFAULT_NEURON_CFG, v_threshold=0.5)
    # another type: its own arguments, nothing of the default's
    lif = dict(type='LIFNeuron', tau=3.0)
    assert neuron_config(lif) == lif and neuron_config(lif) is not lif


@pytest.mark.parametrize('config, part', [
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', 'backbone'),
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', 'neck'),
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', 'bbox_head'),
    ('configs/mixing/faster-rcnn_snn-r50_fpn_1x_voc0712_t4.py', 'backbone'),
])
def test_partial_neuron_cfg_option(config, part):
    # --cfg-options model.<part>.neuron_cfg.reset_mode=hard on a config
    # that states no neuron_cfg (mmcv's ConvModule raised KeyError 'type')
    cfg = load_config(config)
    assert 'neuron_cfg' not in cfg.model[part]
    cfg.merge_from_dict({f'model.{part}.neuron_cfg.reset_mode': 'hard'})
    narrow_yolov3(cfg.model)
    if cfg.model.backbone.type == 'Spikify':
        cfg.model.backbone.module.update(depth=18, base_channels=8,
                                         init_cfg=None)
        cfg.model.neck.in_channels = [8, 16, 32, 64]
    model = MODELS.build(cfg.model)
    modes = {name.split('.')[0]: set() for name, _ in spiking_modules(model)}
    for name, neuron in spiking_modules(model):
        modes[name.split('.')[0]].add(neuron.reset_mode)
    assert modes.pop(part) == {'hard'}
    assert all(m == {DEFAULT_NEURON_CFG['reset_mode']}
               for m in modes.values())
