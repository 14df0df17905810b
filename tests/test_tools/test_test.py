"""tools/test.py and tools/infer.py name a missing checkpoint file;
tools/test.py refuses a non-finite checkpoint (instead of scoring mAP 0
with exit 0), warns of one trained as another model type, and with
--show-dir draws event samples of an event config. train.py, test.py and
infer.py name a bad config path alike; infer.py checks the checkpoint as
test.py does; infer.py's --out-dir and test.py's --out are checked before
the work."""
import os.path as osp

import pytest

from tests.tiny_voc import REPO_ROOT
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

# What reads checkpoints' config texts sees them as users' runs write them.
pytestmark = pytest.mark.usefixtures('yapf_formatting')

CONFIG = osp.join(REPO_ROOT, 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')


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


def random_checkpoint(config, path, cfg_text=None, poison=False):
    """A checkpoint of a config's randomly initialised model, as the runner
    saves one (``poison``: a NaN in a BN statistic)."""
    import math

    import torch
    from mmengine.config import Config

    from mmdet.registry import MODELS
    cfg = Config.fromfile(str(config))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if poison:
        with torch.no_grad():
            model.backbone.conv1.bn.running_var[1] = math.nan
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(epoch=1, iter=1, cfg=cfg_text or
                              cfg.pretty_text)), path)
    return path


def tiny_checkpoint(tmp_path, cfg_text=None, poison=False):
    """A checkpoint of the tiny config's model, as the runner saves one."""
    from tests.tiny_voc import tiny_runner_cfg
    tiny_runner_cfg(tmp_path, max_epochs=1)  # tmp_path/tiny.py + data
    return random_checkpoint(tmp_path / 'tiny.py', tmp_path / 'epoch_1.pth',
                             cfg_text, poison)


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


def test_show_dir_draws_every_event_sample(tmp_path):
    """mmdet's --show-dir path (DetVisualizationHook reads img_path as an
    image) fails on event samples; the event configs' hook draws each
    sample's frames, ground truth and detections."""
    import mmcv
    from mmdet.registry import DATASETS
    from mmengine.config import Config

    from mmsnn.visualization import GT_COLOR, sample_name
    from tests.test_tools.test_make_mini_gen1 import tiny_gen1_config
    from tests.test_visualization.test_event_drawing import (colour_pixels,
                                                             on_off_pixels)
    config = tiny_gen1_config(tmp_path)
    path = random_checkpoint(config, tmp_path / 'epoch_1.pth')
    result = run_tool('test.py', config, path, '--work-dir', tmp_path / 'wd',
                      '--show-dir', 'show', '--cfg-options',
                      'test_dataloader.num_workers=0',
                      'test_dataloader.persistent_workers=False',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'gen1/mAP' in result.stdout + result.stderr
    dataset = DATASETS.build(Config.fromfile(str(config))
                             .test_dataloader.dataset)
    samples = [dataset[i]['data_samples'] for i in range(len(dataset))]
    show = list((tmp_path / 'wd').glob('*/show'))  # work_dir/<timestamp>/
    assert len(show) == 1
    assert sorted(p.name for p in show[0].iterdir()) == sorted(
        f'{sample_name(s)}.png' for s in samples)
    for sample in samples:
        img = mmcv.imread(str(show[0] / f'{sample_name(sample)}.png'))
        height, width = sample.img_shape
        assert img.shape == (2 * height, 2 * width, 3)
        on, off = on_off_pixels(img)
        assert on > 50 and off > 50, (sample_name(sample), on, off)
        assert colour_pixels(img, GT_COLOR) > 0


def test_config_that_is_missing_or_not_a_config_is_one_paragraph(tmp_path):
    """train.py, test.py and infer.py read the config through one function
    and say it the same way (not mmengine's FileNotFoundError / OSError)."""
    readme = osp.join(REPO_ROOT, 'README.md')
    missing = tmp_path / 'nope.py'
    for tool, *rest in (('train.py', ), ('test.py', 'x.pth'),
                        ('infer.py', 'img.jpg', 'x.pth')):
        place = rest[:1] if tool == 'infer.py' else []
        after = rest[1:] if tool == 'infer.py' else rest
        assert_one_paragraph_error(
            run_tool(tool, *place, missing, *after, cwd=tmp_path),
            f'Config {missing} (absolute: {missing}) does not exist.')
        assert_one_paragraph_error(
            run_tool(tool, *place, readme, *after, cwd=tmp_path),
            f'Config {readme}', 'is not a config file')


def test_a_text_file_as_checkpoint_is_not_called_truncated(tmp_path):
    text = tmp_path / 'notes.pth'
    text.write_text('hello\n')
    result = run_tool('test.py', CONFIG, text, cwd=tmp_path)
    assert_one_paragraph_error(
        result, f'Checkpoint file {text}', "is not a checkpoint",
        "starts with 'hello'")
    assert 'truncated' not in result.stderr


def infer_inputs(tmp_path):
    """The tiny config, one of its images and a checkpoint of its model."""
    path = tiny_checkpoint(tmp_path)
    image = tmp_path / 'data/VOC2007/JPEGImages/000002.jpg'
    return tmp_path / 'tiny.py', image, path


def test_infer_checks_the_checkpoint_as_test_does(tmp_path):
    """Another model's checkpoint is refused (it loaded into a random
    model: 0 boxes, exit 0); an ANN one under the SNN config is warned of."""
    import torch
    from mmengine.config import Config

    from tests.conftest import ann_twin
    config, image, _ = infer_inputs(tmp_path)
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.stem.weight': torch.zeros(1)}),
               other)
    result = run_tool('infer.py', image, config, other, '--device', 'cpu',
                      '--out-dir', tmp_path / 'out', cwd=tmp_path)
    assert_one_paragraph_error(result, f'No parameter of checkpoint {other}')
    assert 'boxes with score' not in result.stdout

    ann = Config.fromfile(str(config))
    ann.model = ann_twin(ann.model)
    twin = random_checkpoint(config, tmp_path / 'ann.pth', ann.pretty_text)
    result = run_tool('infer.py', image, config, twin, '--device', 'cpu',
                      '--out-dir', tmp_path / 'out', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'Checkpoint {twin} was trained as another model than the ' \
        'config builds: backbone.neuron_cfg LeakyReLU (config: IFNeuron)' \
        in result.stderr
    assert 'boxes with score' in result.stdout


def test_infer_refuses_an_out_dir_it_cannot_write_before_inference(
        tmp_path):
    config, image, checkpoint = infer_inputs(tmp_path)
    a_file = tmp_path / 'a_file'
    a_file.write_text('')
    cases = [(a_file, 'has a file where a directory should')]
    if osp.isdir('/sys/kernel'):  # a place the kernel refuses, as root too
        cases.append(('/sys/mmsnn_infer', '[Errno '))
    for out_dir, says in cases:
        result = run_tool('infer.py', image, config, checkpoint,
                          '--device', 'cpu', '--out-dir', out_dir,
                          cwd=tmp_path)
        assert_one_paragraph_error(result, f'--out-dir {out_dir}', says,
                                   'pass --out-dir with a writable')
        assert 'boxes with score' not in result.stdout


@pytest.mark.skipif(not osp.isdir('/sys/kernel'), reason='needs Linux sysfs')
def test_test_refuses_an_out_it_cannot_write_before_testing(tmp_path):
    path = tiny_checkpoint(tmp_path)
    result = run_tool('test.py', tmp_path / 'tiny.py', path, '--work-dir',
                      tmp_path / 'wd', '--out', '/sys/mmsnn_preds.pkl',
                      cwd=tmp_path)
    assert_one_paragraph_error(
        result, 'The folder of --out /sys (absolute: /sys)',
        '--out /sys/mmsnn_preds.pkl is written there at the end')
    assert 'pascal_voc/mAP' not in result.stdout + result.stderr
