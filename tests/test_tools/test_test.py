"""tools/test.py and tools/infer.py name a missing checkpoint file."""
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
