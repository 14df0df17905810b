"""tools/model_converters/balance_thresholds.py: the checkpoint it writes
loads into the spiking twin; its input is checked before the calibration
(the balancing itself: tests/test_conversion/test_threshold_balance.py)."""
import shutil

import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint

from tests.conftest import ann_twin
from tests.tiny_voc import tiny_runner_cfg
from .tool_runner import assert_one_paragraph_error, run_tool

TOOL = 'model_converters/balance_thresholds.py'


def test_writes_a_checkpoint_the_snn_loads(tmp_path):
    cfg = tiny_runner_cfg(tmp_path)  # writes tmp_path/tiny.py and its data
    model = MODELS.build(cfg.model)
    src, out = tmp_path / 'ann.pth', tmp_path / 'balanced.pth'
    save_checkpoint(dict(state_dict=model.state_dict(), meta={}), str(src))
    result = run_tool(TOOL, tmp_path / 'tiny.py', src, out, '--calib-images',
                      '2', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'{src} -> {out}' in result.stdout
    twin = MODELS.build(cfg.model)
    checkpoint = load_checkpoint(twin, str(out), strict=True)
    assert checkpoint['meta']['percentile'] == 99.
    assert checkpoint['meta']['calib_images'] == 2
    changed = [k for k, v in twin.state_dict().items()
               if not torch.equal(v, model.state_dict()[k])]
    assert changed and all(k.endswith(('bn.weight', 'bn.bias'))
                           for k in changed)


def test_names_a_bad_percentile(tmp_path):
    result = run_tool(TOOL, 'cfg.py', 'ann.pth', tmp_path / 'out.pth',
                      '--percentile', '0', cwd=tmp_path)
    assert result.returncode == 2  # a usage error, before any work
    assert "argument --percentile: must be a percentile, > 0 and <= 100, " \
        "got '0'" in result.stderr
    assert not (tmp_path / 'out.pth').exists()


def test_checks_data_output_and_checkpoint_first(tmp_path):
    """Missing data, an unwritable OUT and another model's checkpoint are
    one paragraph before the calibration (a FileNotFoundError, a
    PermissionError after it, and strict loading's traceback before)."""
    cfg = tiny_runner_cfg(tmp_path)
    config, src = tmp_path / 'tiny.py', tmp_path / 'ann.pth'
    save_checkpoint(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                         meta={}), str(src))
    assert_one_paragraph_error(
        run_tool(TOOL, config, src, '/sys/mmsnn_bal.pth', '--calib-images',
                 '1', cwd=tmp_path),
        'The folder of OUT /sys (absolute: /sys)')
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.stem.weight': torch.zeros(1)}),
               other)
    out = tmp_path / 'bal.pth'
    assert_one_paragraph_error(
        run_tool(TOOL, config, other, out, '--calib-images', '1',
                 cwd=tmp_path), f'No parameter of checkpoint {other}')
    shutil.rmtree(tmp_path / 'data')
    assert_one_paragraph_error(
        run_tool(TOOL, config, src, out, '--calib-images', '1',
                 cwd=tmp_path),
        'No data set at', 'train_dataloader.dataset.data_root=')
    assert not out.exists()


def test_warns_of_a_checkpoint_trained_as_another_model(tmp_path,
                                                       yapf_formatting):
    cfg = tiny_runner_cfg(tmp_path)
    ann = Config(dict(model=ann_twin(cfg.model)))
    src = tmp_path / 'ann.pth'
    save_checkpoint(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                         meta=dict(cfg=ann.pretty_text)), str(src))
    result = run_tool(TOOL, tmp_path / 'tiny.py', src, tmp_path / 'bal.pth',
                      '--calib-images', '1', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert ('trained as another model than the config builds:'
            in ' '.join(result.stderr.split()))
    assert 'backbone.neuron_cfg LeakyReLU' in result.stderr
