"""tools/train.py as users see it: a missing data set is one clear message;
a tiny config trains, and its checkpoint tests and infers."""
import json
import os.path as osp

from tests.tiny_voc import REPO_ROOT, tiny_runner_cfg
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

VOC_CONFIG = osp.join(REPO_ROOT, 'configs/snn_yolov3/snn_yolov3_d53_voc_t6.py')


def test_missing_voc_says_where_how_to_get_it_and_how_to_point_elsewhere(
        tmp_path):
    result = run_tool('train.py', VOC_CONFIG, cwd=tmp_path)
    assert_one_paragraph_error(
        result, 'No data set at data/VOCdevkit/',
        osp.join(str(tmp_path), 'data/VOCdevkit'),
        'docs/dataset_prepare.md',
        'train_dataloader.dataset.datasets.0.data_root=',
        'train_dataloader.dataset.datasets.1.data_root=',
        'val_dataloader.dataset.data_root=')
    assert not osp.exists(tmp_path / 'work_dirs')  # nothing was started


def test_train_then_test_then_infer(tmp_path):
    tiny_runner_cfg(tmp_path, max_epochs=1)  # writes tmp_path/tiny.py + data
    config, work_dir = tmp_path / 'tiny.py', tmp_path / 'wd'
    result = run_tool('train.py', config, '--work-dir', work_dir,
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file()
    assert 'mmsnn data check' in result.stdout + result.stderr

    out = tmp_path / 'preds.pkl'
    result = run_tool('test.py', config, checkpoint, '--work-dir', work_dir,
                      '--out', out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'pascal_voc/mAP' in result.stdout + result.stderr
    assert out.is_file()

    image = tmp_path / 'data/VOC2007/JPEGImages/000002.jpg'
    result = run_tool('infer.py', image, config, checkpoint, '--out-dir',
                      tmp_path / 'infer', '--score-thr', 0, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    picture = tmp_path / 'infer/vis/000002.jpg'
    assert f'picture: {picture}' in result.stdout
    assert picture.is_file()
    with open(tmp_path / 'infer/preds/000002.json') as f:
        assert set(json.load(f)) >= {'labels', 'scores', 'bboxes'}


def test_bad_model_values_are_one_paragraph(tmp_path):
    tiny_runner_cfg(tmp_path, max_epochs=1)
    for option, culprit in [('model.time_steps=0', 'time_steps'),
                            ('model.bbox_head.decode_mode=median',
                             "'median'")]:
        result = run_tool('train.py', tmp_path / 'tiny.py', '--work-dir',
                          tmp_path / 'wd', '--cfg-options', option,
                          cwd=tmp_path)
        assert_one_paragraph_error(result, culprit)
