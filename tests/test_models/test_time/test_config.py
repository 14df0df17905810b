"""T in a config: ``--cfg-options time_steps=N`` reaches every part."""
import pytest

from mmsnn.models.time.config import (apply_time_steps_option,
                                      set_config_time_steps)
from mmsnn.utils.input_error import ConfigValueError
from tests.conftest import load_config


@pytest.mark.parametrize('config, fields', [
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', 1),
    ('configs/mixing/retinanet_snn-r50_snn-fpn_1x_voc0712_t4.py', 1),
])
def test_top_level_time_steps_option(config, fields):
    # what tools/train.py and tools/test.py do with --cfg-options
    cfg = load_config(config)
    options = {'time_steps': 6}
    cfg.merge_from_dict(options)
    apply_time_steps_option(cfg, options)
    assert cfg.model.time_steps == 6
    assert set_config_time_steps(cfg.model, 6) == fields
    apply_time_steps_option(cfg, {'model.time_steps': 2})  # not its business
    assert cfg.model.time_steps == 6


def test_top_level_time_steps_option_on_an_ann_is_an_error():
    cfg = load_config('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
    with pytest.raises(ConfigValueError, match='time_steps=6.*no `time_st'):
        apply_time_steps_option(cfg, {'time_steps': 6})
    with pytest.raises(ConfigValueError, match='positive integer'):
        set_config_time_steps(dict(time_steps=2), 0)
