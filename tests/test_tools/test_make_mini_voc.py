"""tools/misc/make_mini_voc.py: deterministic, VOC-format, read by mmdet."""
import hashlib
import importlib.util
import os
import os.path as osp
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from tests.conftest import repo_path

SCRIPT = repo_path('tools', 'misc', 'make_mini_voc.py')


def _load_generator():
    spec = importlib.util.spec_from_file_location('make_mini_voc', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


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
        gen.shape_polygon(np.random.default_rng(0), 'hexagon', 20., (5, 5))


def test_if_outdated_skips_only_complete_current_data(tmp_path):
    """The main job reruns the generator with --if-outdated: data of this
    version and these arguments is kept, anything else is rewritten."""
    import subprocess
    import sys
    out = str(tmp_path)
    args = dict(num_trainval=2, num_test=1, max_objects=2)
    assert not gen.is_current(out, **args)
    devkit = gen.make_mini_voc(out, **args)
    assert gen.is_current(out, **args)
    assert not gen.is_current(out, **dict(args, num_test=2))
    marker = osp.join(devkit, gen.YEAR_FOLDER, gen.MARKER)

    def run():
        return subprocess.run(
            [sys.executable, SCRIPT, '--out', out, '--num-trainval', '2',
             '--num-test', '1', '--max-objects', '2', '--if-outdated'],
            capture_output=True, text=True, check=True).stdout

    mtime = os.stat(marker).st_mtime_ns
    assert 'up to date' in run()
    assert os.stat(marker).st_mtime_ns == mtime
    # An older generator's data (or an interrupted run) is rewritten.
    with open(marker, 'w') as f:
        f.write('{"generator_version": 1}')
    assert 'written to' in run()
    assert gen.is_current(out, **args)


SUBSET_MANIFEST = repo_path('tests', 'test_tools', 'mini_voc_subset.sha256')
SUBSET = ['--num-trainval', '8', '--num-test', '4']


def _read_manifest(path):
    with open(path) as f:
        return {p: d for d, p in (line.rstrip('\n').split('  ', 1)
                                  for line in f if line.strip())}


def test_this_machine_draws_the_pinned_bytes(tmp_path):
    """The script (numpy's AVX-512 off as it is only before numpy's import),
    drawing in 2 processes, writes the bytes of the shipped subset manifest
    (which one process writes too: test_verify_names_changed_...); its first
    trainval images are the full data set's, so those lines of the shipped
    full manifest are checked too."""
    import subprocess
    import sys
    result = subprocess.run(
        [sys.executable, SCRIPT, '--out', str(tmp_path), *SUBSET,
         '--workers', '2', '--verify', SUBSET_MANIFEST],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'byte for byte' in result.stdout
    full = _read_manifest(gen.MANIFEST)
    subset = _read_manifest(SUBSET_MANIFEST)
    shared = [p for p in subset
              if p.startswith(('JPEGImages/', 'Annotations/'))
              and int(osp.basename(p)[:6]) < 8]
    assert len(shared) == 16
    assert {p: full[p] for p in shared} == {p: subset[p] for p in shared}
    # The full manifest covers the whole default data set.
    assert sum(p.startswith('JPEGImages/') for p in full) == \
        gen.NUM_TRAINVAL + gen.NUM_TEST


def test_verify_names_changed_missing_and_extra_files(tmp_path):
    import subprocess
    import sys
    gen.make_mini_voc(str(tmp_path), num_trainval=8, num_test=4)
    root = osp.join(str(tmp_path), 'VOCdevkit', gen.YEAR_FOLDER)
    assert gen.verify_manifest(root, SUBSET_MANIFEST) == []
    jpg = osp.join(root, 'JPEGImages', '000003.jpg')
    with open(jpg, 'r+b') as f:  # one byte, past the JPEG header
        f.seek(400)
        byte = f.read(1)
        f.seek(400)
        f.write(bytes([byte[0] ^ 1]))
    os.remove(osp.join(root, 'Annotations', '000010.xml'))
    open(osp.join(root, 'JPEGImages', 'extra.jpg'), 'wb').close()
    assert gen.verify_manifest(root, SUBSET_MANIFEST) == [
        'changed: JPEGImages/000003.jpg', 'missing: Annotations/000010.xml',
        'not in the manifest: JPEGImages/extra.jpg'
    ]
    result = subprocess.run(
        [sys.executable, SCRIPT, '--out', str(tmp_path), *SUBSET,
         '--if-outdated', '--verify', SUBSET_MANIFEST],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert '3 files' in result.stderr and '000003.jpg' in result.stderr
    assert 'not comparable' in result.stderr


def test_write_manifest_round_trips(tmp_path):
    gen.make_mini_voc(str(tmp_path), num_trainval=2, num_test=1,
                      max_objects=2)
    root = osp.join(str(tmp_path), 'VOCdevkit', gen.YEAR_FOLDER)
    manifest = str(tmp_path / 'm.sha256')
    gen.write_manifest(root, manifest)
    digests = _read_manifest(manifest)
    # 3 images, 3 annotations, 2 split lists, the marker.
    assert len(digests) == 9 and gen.MARKER in digests
    with open(osp.join(root, 'ImageSets/Main/test.txt'), 'rb') as f:
        assert digests['ImageSets/Main/test.txt'] == hashlib.sha256(
            f.read()).hexdigest()
    assert gen.verify_manifest(root, manifest) == []
