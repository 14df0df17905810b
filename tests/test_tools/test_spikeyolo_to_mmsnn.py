"""tools/model_converters/spikeyolo_to_mmsnn.py end to end on a narrow
SpikeYOLO and a checkpoint in their format (the conversion itself:
tests/test_conversion/test_spikeyolo.py)."""
import torch
from mmdet.registry import MODELS

from ..test_models.test_detectors.spikeyolo_reference import (
    SpikeYOLOReference, mmsnn_cfg, randomize_norms)
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'model_converters/spikeyolo_to_mmsnn.py'


def test_tool_writes_a_checkpoint_that_loads_strictly(tmp_path):
    torch.manual_seed(0)
    theirs = randomize_norms(SpikeYOLOReference(0.33, 0.125, 1024, nc=3))
    src, dst = tmp_path / 'theirs.pt', tmp_path / 'out' / 'ours.pth'
    torch.save({'model': theirs.state_dict(), 'epoch': 3}, src)
    config = tmp_path / 'tiny.py'
    config.write_text(f'model = {mmsnn_cfg()!r}\n')
    result = run_tool(TOOL, src, dst, '--config', config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'tensors from {src} -> {dst}' in result.stdout
    ours = MODELS.build(mmsnn_cfg())
    ours.load_state_dict(torch.load(dst, weights_only=True)['state_dict'],
                         strict=True)
    assert torch.equal(ours.neck.reduce_p5.conv.weight,
                       theirs.model[10].conv.weight)
    assert_one_paragraph_error(
        run_tool(TOOL, tmp_path / 'nope.pt', dst, '--config', config,
                 cwd=tmp_path), 'nope.pt')
