import os.path as osp

import pytest

from tests.tiny_voc import write_tiny_voc


@pytest.fixture
def voc(tmp_path):
    root = write_tiny_voc(tmp_path / 'data', num_train=3, num_test=1,
                          size=32)
    return root, osp.join(root, 'VOC2007')
