"""tools/test.py and tools/infer.py name a missing checkpoint file;
tools/test.py refuses a non-finite checkpoint (instead of scoring mAP 0
with exit 0) and warns of one trained as another model type."""
import os.path as osp

from tests.tiny_voc import REPO_ROOT
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

CONFIG = osp.join(REPO_ROOT, 'configs/snn_yolov3/snn_yolov3_d53_voc_t6.py')


def test_test_names_missing_checkpoint(tmp_path):
    missing = tmp_path / 'work_dirs/epoch_99.pth'
    assert_one_paragraph_error(
        run_tool('test.py', CONFIG, missing, cwd=tmp_path),
        f'Checkpoint file {missing}', 'last_checkpoint')


def test_infer_names_missing_checkpoint_and_image(tmp_path):
    missing = tmp_path / 'nope.pth'
    assert_one_paragraph_error(
        run_tool('infer.py', 'demo.jpg', CONFIG, missing, cwd=tmp_path),
        f'Checkpoint file {missing}')
    checkpoint = tmp_path / 'exists.pth'
    checkpoint.write_bytes(b'')
    assert_one_paragraph_error(
        run_tool('infer.py', tmp_path / 'demo.jpg', CONFIG, checkpoint,
                 cwd=tmp_path), f'Image {tmp_path / "demo.jpg"}')


def tiny_checkpoint(tmp_path, cfg_text=None, poison=False):
    """A checkpoint of the tiny config's model, as the runner saves one."""
    import math

    import torch
    from mmengine.config import Config

    from mmdet.registry import MODELS
    from tests.tiny_voc import tiny_runner_cfg
    tiny_runner_cfg(tmp_path, max_epochs=1)  # tmp_path/tiny.py + data
    cfg = Config.fromfile(str(tmp_path / 'tiny.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if poison:
        with torch.no_grad():
            model.backbone.conv1.bn.running_var[1] = math.nan
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(epoch=1, iter=1, cfg=cfg_text or
                              cfg.pretty_text)), path)
    return path


def test_test_refuses_nonfinite_checkpoint(tmp_path):
    path = tiny_checkpoint(tmp_path, poison=True)
    assert_one_paragraph_error(
        run_tool('test.py', tmp_path / 'tiny.py', path, '--work-dir',
                 tmp_path / 'wd', cwd=tmp_path),
        f'Checkpoint {path} holds non-finite values in 1 tensor(s): '
        'state_dict.backbone.conv1.bn.running_var (nan in 1 of')


def test_test_warns_of_a_checkpoint_of_another_model_type(tmp_path):
    from mmengine.config import Config
    from tests.conftest import ann_twin
    from tests.tiny_voc import tiny_runner_cfg
    tiny_runner_cfg(tmp_path, max_epochs=1)
    ann = Config.fromfile(str(tmp_path / 'tiny.py'))
    ann.model = ann_twin(ann.model)
    path = tiny_checkpoint(tmp_path, cfg_text=ann.pretty_text)
    result = run_tool('test.py', tmp_path / 'tiny.py', path, '--work-dir',
                      tmp_path / 'wd', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'Checkpoint {path} was trained as another model than the ' \
        'config builds: backbone.neuron_cfg LeakyReLU (config: IFNeuron)' \
        in result.stderr
    assert 'pascal_voc/mAP' in result.stdout + result.stderr
