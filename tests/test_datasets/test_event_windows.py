"""mmsnn.datasets.event_windows: unlabelled recordings cut into the
windows a config's model reads."""
import pytest
from mmengine.config import Config

from mmsnn.datasets.event_windows import (config_window_us,
                                          recording_windows, takes_events)
from mmsnn.utils import InputError
from tests.conftest import load_config
from tests.test_datasets.gen1_files import write_dat


def test_window_length_and_event_input_come_from_the_config():
    cfg = load_config('configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py')
    assert takes_events(cfg) and config_window_us(cfg) == 50_000
    cfg.test_dataloader.dataset.window_us = 20_000
    assert config_window_us(cfg) == 20_000
    cfg.test_dataloader.dataset.pipeline[0].window_us = 30_000
    assert config_window_us(cfg) == 30_000  # the loader's override
    del cfg.test_dataloader.dataset.window_us
    del cfg.test_dataloader.dataset.pipeline[0].window_us
    assert config_window_us(cfg) == 50_000  # Gen1Dataset's default
    assert not takes_events(
        load_config('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'))
    with pytest.raises(InputError, match='sets no window_us'):
        config_window_us(Config(dict(test_dataloader=dict(
            dataset=dict(type='VOCDataset', pipeline=[])))))


def test_windows_cover_the_recording(tmp_path):
    path = tmp_path / 'r_td.dat'
    write_dat(path, [(5, 1, 1, 1), (70_000, 2, 2, 0), (130_000, 3, 3, 1)])
    infos = recording_windows(str(path), 50_000)
    assert [i['timestamp'] for i in infos] == [50_000, 100_000, 150_000]
    first = infos[0]
    assert (first['img_id'], first['recording']) == ('r_td@50000', 'r_td')
    assert (first['height'], first['width']) == (240, 304)
    assert first['instances'] == [] and first['events_path'] == str(path)
    assert [i['timestamp'] for i in recording_windows(
        str(path), 50_000, every_us=120_000)] == [50_000, 170_000]
