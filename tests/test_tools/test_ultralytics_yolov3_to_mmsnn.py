"""tools/model_converters/ultralytics_yolov3_to_mmsnn.py end to end on a
narrow authors' model and a checkpoint in their format."""
import importlib.util

import pytest
import torch

from ..conftest import repo_path
from ..test_conversion.test_ultralytics import (AUTHORS, UltralyticsYOLOv3SPP,
                                                randomize, tiny_authors_model,
                                                yolov3_spp_sections)


def load_tool(folder, name):
    path = repo_path('tools', folder, f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tool_writes_a_checkpoint_that_loads_strictly(tmp_path):
    tool = load_tool('model_converters', 'ultralytics_yolov3_to_mmsnn')
    config = tmp_path / 'tiny_authors.py'
    config.write_text(
        f'_base_ = {repo_path(AUTHORS)!r}\n'
        'model = dict(\n'
        '  backbone=dict(widen_factor=1 / 8, stage_blocks=(1, 1, 1, 1, 1)),\n'
        '  neck=dict(in_channels=[128, 64, 32], out_channels=[64, 32, 16]),\n'
        '    bbox_head=dict(in_channels=[64, 32, 16],\n'
        '                   out_channels=[128, 64, 32]))\n')
    theirs = randomize(UltralyticsYOLOv3SPP(
        yolov3_spp_sections(width=1 / 8, blocks=(1, 1, 1, 1, 1)), 1))
    src, dst = tmp_path / 'theirs.pt', tmp_path / 'out' / 'ours.pth'
    torch.save({'model': theirs.state_dict(), 'epoch': 9}, src)
    tool.main([str(src), str(dst), '--config', str(config)])
    ours = tiny_authors_model(time_steps=1)
    state = torch.load(dst, weights_only=True)['state_dict']
    ours.load_state_dict(state, strict=True)
    torch.testing.assert_close(
        state['neck.detect1.conv3.conv1.conv.weight'],
        theirs.state_dict()['module_list.23.Conv2d.weight'])
    with pytest.raises(SystemExit):  # refusals: one paragraph, exit 2
        tool.main([str(tmp_path / 'nope.pt'), str(dst), '--config',
                   str(config)])
    with pytest.raises(SystemExit) as stop:  # the config checked alike
        tool.main([str(src), str(dst), '--config', str(tmp_path / 'no.py')])
    assert stop.value.code == 2
