"""mmsnn.datasets.synthetic.manifest: sha256 manifests name every changed,
missing and extra file."""
import hashlib
import os
import os.path as osp

from mmsnn.datasets.synthetic import (make_mini_voc, read_manifest,
                                      verify_manifest, write_manifest)
from mmsnn.datasets.synthetic.mini_voc import MARKER, YEAR_FOLDER
from tests.conftest import repo_path

SUBSET_MANIFEST = repo_path('tests', 'test_datasets', 'test_synthetic',
                            'mini_voc_subset.sha256')


def test_write_manifest_round_trips(tmp_path):
    make_mini_voc(str(tmp_path), num_trainval=2, num_test=1, max_objects=2)
    root = osp.join(str(tmp_path), 'VOCdevkit', YEAR_FOLDER)
    manifest = str(tmp_path / 'm.sha256')
    write_manifest(root, manifest)
    digests = read_manifest(manifest)
    # 3 images, 3 annotations, 2 split lists, the marker.
    assert len(digests) == 9 and MARKER in digests
    with open(osp.join(root, 'ImageSets/Main/test.txt'), 'rb') as f:
        assert digests['ImageSets/Main/test.txt'] == hashlib.sha256(
            f.read()).hexdigest()
    assert verify_manifest(root, manifest) == []


def test_verify_names_changed_missing_and_extra_files(tmp_path):
    make_mini_voc(str(tmp_path), num_trainval=8, num_test=4)
    root = osp.join(str(tmp_path), 'VOCdevkit', YEAR_FOLDER)
    assert verify_manifest(root, SUBSET_MANIFEST) == []
    jpg = osp.join(root, 'JPEGImages', '000003.jpg')
    with open(jpg, 'r+b') as f:  # one byte, past the JPEG header
        f.seek(400)
        byte = f.read(1)
        f.seek(400)
        f.write(bytes([byte[0] ^ 1]))
    os.remove(osp.join(root, 'Annotations', '000010.xml'))
    open(osp.join(root, 'JPEGImages', 'extra.jpg'), 'wb').close()
    assert verify_manifest(root, SUBSET_MANIFEST) == [
        'changed: JPEGImages/000003.jpg', 'missing: Annotations/000010.xml',
        'not in the manifest: JPEGImages/extra.jpg'
    ]
