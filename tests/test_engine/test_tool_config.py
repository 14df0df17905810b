"""mmsnn.engine.tool_config and time_steps_option: how the tools read a
config, ``--cfg-options time_steps=N`` reaching the model and the data."""
import pytest

from mmsnn.engine.tool_config import load_runner_config, load_tool_config
from mmsnn.utils import ConfigValueError
from tests.conftest import repo_path

SNN = repo_path('configs', 'mini_voc', 'snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py')
EVENTS = repo_path('configs', 'events', 'snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py')
EVENTS_ANN = repo_path('configs', 'events', 'yolov3_d53-mini_1xb8-192-10e_minigen1.py')



def time_bins(cfg):
    """num_bins of every event representation in the three pipelines."""
    return [t['num_bins'] for key in ('train', 'val', 'test')
            for t in cfg[f'{key}_dataloader'].dataset.pipeline
            if 'num_bins' in t]


@pytest.mark.parametrize('load', [load_tool_config, load_runner_config])
def test_top_level_time_steps_reaches_the_model(load):
    assert load(SNN).model.time_steps == 4
    cfg = load(SNN, dict(time_steps=6))
    assert cfg.model.time_steps == 6 and cfg.time_steps == 6


@pytest.mark.parametrize('load', [load_tool_config, load_runner_config])
def test_time_steps_on_an_ann_is_refused(load, tmp_path):
    ann = tmp_path / 'ann.py'  # a model with no T anywhere
    ann.write_text("model = dict(type='YOLOV3', backbone=dict(depth=53))\n")
    with pytest.raises(ConfigValueError, match='time_steps=6.*is it an ANN'):
        load(str(ann), dict(time_steps=6))


def test_runner_config_work_dir_order():
    assert load_runner_config(SNN, work_dir='w').work_dir == 'w'
    assert load_runner_config(SNN).work_dir == \
        './work_dirs/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4'
    cfg = load_runner_config(SNN, launcher='pytorch')
    assert cfg.launcher == 'pytorch'


@pytest.mark.parametrize('load', [load_tool_config, load_runner_config])
def test_time_steps_reaches_the_data_bins_of_an_event_config(load):
    """T and the data's bins are one variable: the option changed T only,
    and the run stopped at the first batch (4 bins for T=2)."""
    cfg = load(EVENTS, dict(time_steps=2))
    assert cfg.model.time_steps == 2 and time_bins(cfg) == [2, 2, 2]
    # The ANN twin sees the bins stacked as channels (2 polarities each):
    # its T stays 1.
    twin = load(EVENTS_ANN, dict(time_steps=2))
    assert twin.model.time_steps == 1 and time_bins(twin) == [2, 2, 2]
    assert twin.model.backbone.in_channels == 2 * 2
    assert load(EVENTS_ANN).model.backbone.in_channels == 2 * 4


def test_time_bins_are_found_by_type_not_name(tmp_path):
    """A user's representation, subclassing the base, inside a wrapper."""
    from mmdet.registry import TRANSFORMS

    from mmsnn.datasets.transforms.time_bins import TimeBinsTransform

    @TRANSFORMS.register_module(force=True)
    class MyTimeSurface(TimeBinsTransform):

        def __init__(self, num_bins):
            self.num_bins = num_bins

        def transform(self, results):
            return results

    config = tmp_path / 'mine.py'
    config.write_text(
        f'_base_ = {EVENTS!r}\n'
        'test_dataloader = dict(dataset=dict(pipeline=[dict(\n'
        "    type='RandomChoice', transforms=[[dict(type='MyTimeSurface',\n"
        '    num_bins=4)]])]))\n')
    cfg = load_tool_config(str(config), dict(time_steps=3))
    assert cfg.test_dataloader.dataset.pipeline[0].transforms[0][0] == \
        dict(type='MyTimeSurface', num_bins=3)
    assert time_bins(cfg)[:2] == [3, 3]  # train and val
