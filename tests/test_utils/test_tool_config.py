"""mmsnn.utils.tool_config: how the tools read a config."""
import argparse
import os

import pytest

from mmsnn.utils import (ConfigValueError, add_runner_args, load_runner_config,
                         load_tool_config, parse_runner_args)
from tests.conftest import repo_path

SNN = repo_path('configs', 'mini_voc', 'snn_yolov3_minivoc_t4.py')


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
        './work_dirs/snn_yolov3_minivoc_t4'
    cfg = load_runner_config(SNN, launcher='pytorch')
    assert cfg.launcher == 'pytorch'


def test_runner_args_as_mmdet_parses_them(monkeypatch):
    parser = argparse.ArgumentParser()
    add_runner_args(parser)
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    args = parse_runner_args(parser, [
        '--cfg-options', 'time_steps=6', 'model.backbone.frozen_stages=2',
        '--launcher', 'pytorch', '--local-rank', '3'
    ])
    assert args.cfg_options == {
        'time_steps': 6,
        'model.backbone.frozen_stages': 2
    }
    assert args.launcher == 'pytorch'
    assert os.environ['LOCAL_RANK'] == '3'  # exported for the runner
    # A launcher's own LOCAL_RANK (torchrun) wins over the default.
    monkeypatch.setenv('LOCAL_RANK', '1')
    parse_runner_args(parser, [])
    assert os.environ['LOCAL_RANK'] == '1'
    with pytest.raises(SystemExit):
        parse_runner_args(parser, ['--launcher', 'torchrun'])
