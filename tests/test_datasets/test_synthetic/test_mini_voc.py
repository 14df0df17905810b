"""mmsnn.datasets.synthetic.mini_voc: deterministic, VOC-format, read by
mmdet."""
import hashlib
import os
import os.path as osp
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from mmsnn.datasets.synthetic import mini_voc as gen
from mmsnn.datasets.synthetic.mini_voc_drawing import shape_polygon


def _tree_digest(root):
    """sha256 over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = osp.join(folder, name)
            digest.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


@pytest.fixture(scope='module')
def mini_voc(tmp_path_factory):
    out = tmp_path_factory.mktemp('mini_voc')
    counts = {}
    devkit = gen.make_mini_voc(str(out), num_trainval=12, num_test=8,
                               counts=counts)
    return devkit, counts


def test_same_bytes_every_run_and_seed_matters(mini_voc, tmp_path):
    devkit, _ = mini_voc
    again = gen.make_mini_voc(str(tmp_path / 'again'), num_trainval=12,
                              num_test=8)
    assert _tree_digest(devkit) == _tree_digest(again)
    other = gen.make_mini_voc(str(tmp_path / 'other'), num_trainval=12,
                              num_test=8, seed=1)
    assert _tree_digest(devkit) != _tree_digest(other)


def test_voc_layout(mini_voc):
    devkit, counts = mini_voc
    root = osp.join(devkit, gen.YEAR_FOLDER)
    ids = {}
    for split in gen.SPLITS:
        with open(osp.join(root, 'ImageSets/Main', f'{split}.txt')) as f:
            ids[split] = f.read().split()
    assert len(ids['trainval']) == 12 and len(ids['test']) == 8
    assert not set(ids['trainval']) & set(ids['test'])
    for img_id in ids['trainval'] + ids['test']:
        img = cv2.imread(osp.join(root, 'JPEGImages', f'{img_id}.jpg'))
        ann = ET.parse(osp.join(root, 'Annotations', f'{img_id}.xml'))
        size = ann.getroot().find('size')
        assert (int(size.find('height').text),
                int(size.find('width').text)) == img.shape[:2]
        objects = ann.findall('object')
        assert len(objects) >= 2  # several objects per image
        for obj in objects:
            assert obj.find('name').text in gen.CLASSES
            assert obj.find('difficult').text in ('0', '1')
            assert obj.find('truncated').text in ('0', '1')
    # Every class occurs; counts agree with the files.
    assert all(n > 0 for n in counts['trainval'].values())
    assert sum(counts['test'].values()) == sum(
        len(ET.parse(osp.join(root, 'Annotations', f'{i}.xml')).findall(
            'object')) for i in ids['test'])


def test_read_by_mmdet_voc_dataset_boxes_inside_images(mini_voc):
    from mmdet.datasets import VOCDataset
    devkit, _ = mini_voc
    sizes, truncated = [], 0
    for split in gen.SPLITS:
        dataset = VOCDataset(
            data_root=devkit,
            ann_file=f'{gen.YEAR_FOLDER}/ImageSets/Main/{split}.txt',
            data_prefix=dict(sub_data_root=f'{gen.YEAR_FOLDER}/'),
            metainfo=dict(classes=gen.CLASSES),
            test_mode=split == 'test',
            pipeline=[])
        # Not tagged as PASCAL VOC (VOCMetric would print VOC's names).
        assert dataset.metainfo['dataset_type'] is None
        assert len(dataset) == (12 if split == 'trainval' else 8)
        for info in dataset:
            assert osp.isfile(info['img_path'])
            h, w = info['height'], info['width']
            for inst in info['instances']:
                x1, y1, x2, y2 = inst['bbox']  # 0-based after mmdet's -1
                assert 0 <= x1 < x2 <= w - 1 and 0 <= y1 < y2 <= h - 1
                assert 0 <= inst['bbox_label'] < len(gen.CLASSES)
                sizes.append(max(x2 - x1, y2 - y1))
                truncated += x1 == 0 or y1 == 0 or x2 == w - 1 or \
                    y2 == h - 1
    # Varied sizes, some objects cut by the border.
    assert min(sizes) < 25 and max(sizes) > 50
    assert truncated > 0


@pytest.mark.parametrize('kwargs, culprit', [
    (dict(num_test=0), 'num_test'),
    (dict(max_objects=1), 'max_objects'),
    (dict(num_trainval=2.5), 'num_trainval'),
    (dict(workers=0), 'workers'),
])
def test_bad_arguments_are_named(tmp_path, kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        gen.make_mini_voc(str(tmp_path), **kwargs)


def test_unknown_shape_is_named():
    with pytest.raises(ValueError, match='hexagon'):
        shape_polygon(np.random.default_rng(0), 'hexagon', 20., (5, 5))


def test_is_current_only_for_complete_data_of_these_arguments(tmp_path):
    """The main job reruns the generator with --if-outdated: data of this
    version and these arguments is kept, anything else is rewritten."""
    out = str(tmp_path)
    args = dict(num_trainval=2, num_test=1, max_objects=2)
    assert not gen.is_current(out, **args)
    devkit = gen.make_mini_voc(out, **args)
    assert gen.is_current(out, **args)
    assert not gen.is_current(out, **dict(args, num_test=2))
    marker = osp.join(devkit, gen.YEAR_FOLDER, gen.MARKER)
    # An older generator's data (or an interrupted run) is not current.
    with open(marker, 'w') as f:
        f.write('{"generator_version": 1}')
    assert not gen.is_current(out, **args)
    os.remove(marker)
    assert not gen.is_current(out, **args)
