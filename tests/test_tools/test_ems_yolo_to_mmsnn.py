"""tools/model_converters/ems_yolo_to_mmsnn.py end to end on a narrow
EMS-YOLO model and a checkpoint in their format."""
import torch
from mmdet.registry import MODELS

from ..conftest import ems_yolo_cfg, repo_path
from ..ems_yolo_reference import EMSYOLOReference
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'model_converters/ems_yolo_to_mmsnn.py'
COCO = 'configs/ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py'


def test_tool_writes_a_checkpoint_that_loads_strictly(tmp_path):
    config = tmp_path / 'narrow.py'
    config.write_text(
        f'_base_ = {repo_path(COCO)!r}\n'
        'model = dict(backbone=dict(widen_factor=0.25),\n'
        '             neck=dict(widen_factor=0.25, in_channels=[64, 128]),\n'
        '             bbox_head=dict(num_classes=4, in_channels=[64, 128]))\n')
    torch.manual_seed(0)
    theirs = EMSYOLOReference('res10-ee', 4, 5, width_multiple=0.25)
    src, dst = tmp_path / 'theirs.pt', tmp_path / 'out' / 'ours.pth'
    torch.save({'model': theirs.state_dict()}, src)
    result = run_tool(TOOL, src, dst, '--config', config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    model = MODELS.build(ems_yolo_cfg('res10-ee', 4))
    state = torch.load(dst, weights_only=True)['state_dict']
    model.load_state_dict(state, strict=True)
    torch.testing.assert_close(state['backbone.layer4.0.conv2.conv.weight'],
                               theirs.state_dict()[
                                   'model.4.residual_function.4.weight'])
    # refusals: one paragraph, exit 2
    assert_one_paragraph_error(
        run_tool(TOOL, src, dst, '--config', config, '--cfg-options',
                 'model.bbox_head.num_classes=80', cwd=tmp_path),
        'model.')
