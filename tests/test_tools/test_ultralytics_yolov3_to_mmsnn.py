"""tools/model_converters/ultralytics_yolov3_to_mmsnn.py end to end on a
narrow authors' model and a checkpoint in their format."""
import torch

from ..conftest import repo_path
from ..test_conversion.test_ultralytics import (AUTHORS, UltralyticsYOLOv3SPP,
                                                randomize, tiny_authors_model,
                                                yolov3_spp_sections)
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'model_converters/ultralytics_yolov3_to_mmsnn.py'


def test_tool_writes_a_checkpoint_that_loads_strictly(tmp_path):
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
    result = run_tool(TOOL, src, dst, '--config', config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'tensors from {src} -> {dst}' in result.stdout
    ours = tiny_authors_model(time_steps=1)
    state = torch.load(dst, weights_only=True)['state_dict']
    ours.load_state_dict(state, strict=True)
    torch.testing.assert_close(
        state['neck.detect1.conv3.conv1.conv.weight'],
        theirs.state_dict()['module_list.23.Conv2d.weight'])
    # refusals: one paragraph, exit 2
    assert_one_paragraph_error(
        run_tool(TOOL, tmp_path / 'nope.pt', dst, '--config', config,
                 cwd=tmp_path), 'nope.pt')
    assert_one_paragraph_error(  # the config checked alike
        run_tool(TOOL, src, dst, '--config', tmp_path / 'no.py',
                 cwd=tmp_path), f'Config {tmp_path / "no.py"}')
