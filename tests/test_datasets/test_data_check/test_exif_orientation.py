"""mmsnn.datasets.data_check.exif_orientation: photos whose EXIF
orientation makes the loader turn them are checked against the frame of
their annotation, as the configured LoadImageFromFile decodes."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmsnn.datasets import check_data
from mmsnn.datasets.data_check.exif_orientation import \
    loader_applies_orientation
from mmsnn.utils import InputError
from .voc_data import cfg_of, voc_cfg


def tag_orientation(voc_dir, img_id, orientation, stored=None, size=None):
    """Re-save JPEGImages/<img_id>.jpg with an EXIF orientation tag, its
    pixels resized to ``stored`` ``(w, h)`` if given, and write ``size``
    ``(w, h)`` into its annotation's ``<size>`` if given; returns the
    image's path."""
    path = osp.join(voc_dir, 'JPEGImages', f'{img_id}.jpg')
    img = Image.open(path).convert('RGB')
    if stored:
        img = img.resize(stored)
    if size:
        xml = osp.join(voc_dir, 'Annotations', f'{img_id}.xml')
        with open(xml) as f:
            text = f.read()
        start, end = text.index('<size>'), text.index('</size>')
        with open(xml, 'w') as f:
            f.write(text[:start] + f'<size><width>{size[0]}</width><height>'
                    f'{size[1]}</height><depth>3</depth>' + text[end:])
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, exif=exif.tobytes())
    return path


def check(root, color_type='color', **data_check):
    cfg = cfg_of(dict(voc_cfg(root), pipeline=[
        dict(type='LoadImageFromFile', color_type=color_type)]))
    cfg.data_check = data_check
    check_data(cfg, ['train_dataloader'])


def refused(root, *culprits, **kwargs):
    with pytest.raises(InputError) as e:
        check(root, **kwargs)
    for culprit in culprits:
        assert culprit in str(e.value), str(e.value)
    return str(e.value)


def loaded(path, color_type='color'):
    """The image as mmcv's LoadImageFromFile gives it (BGR)."""
    from mmcv.transforms import LoadImageFromFile
    return LoadImageFromFile(color_type=color_type).transform(
        dict(img_path=path))['img'].astype(float)


def test_turned_180_degrees_cannot_be_told_and_is_refused(voc):
    root, voc_dir = voc
    path = tag_orientation(voc_dir, '000001', 3)
    # The premise: mmcv's loader turns the pixels; the size stays.
    with Image.open(path) as img:
        stored = np.asarray(img, float)[..., ::-1]
    assert np.abs(loaded(path) - stored[::-1, ::-1]).mean() < 1
    assert np.abs(loaded(path, 'color_ignore_orientation') - stored).mean() \
        < 1
    msg = refused(root, path, 'has EXIF orientation 3 (turned 180 degrees),'
                  " which LoadImageFromFile(color_type='color', "
                  "imdecode_backend='cv2') of train_dataloader.dataset."
                  'pipeline applies', "annotated_frame='oriented'",
                  "color_type='color_ignore_orientation'")
    assert 'cannot tell whether the boxes were drawn' in msg
    # Either answer, given in the config, is taken.
    check(root, annotated_frame='oriented')
    check(root, color_type='color_ignore_orientation')
    check(root, color_type='color_ignore_orientation',
          annotated_frame='stored')
    # A contradicting pair is refused.
    refused(root, path, "data_check.annotated_frame='stored'",
            "set color_type='color_ignore_orientation'",
            annotated_frame='stored')
    refused(root, path, "data_check.annotated_frame='oriented'",
            color_type='color_ignore_orientation', annotated_frame='oriented')
    assert osp.isfile(path)


def test_turned_90_degrees_is_told_by_the_size(voc):
    root, voc_dir = voc
    # Stored 48 x 32, loaded turned: 32 x 48; <size> as stored.
    path = tag_orientation(voc_dir, '000000', 6, stored=(48, 32),
                           size=(48, 32))
    assert loaded(path).shape[:2] == (48, 32)  # (h, w)
    msg = refused(root, path, 'annotation made on the stored pixels, but '
                  'the loader gives the image turned',
                  '<size> 48 x 32, the loader gives 32 x 48',
                  "set color_type='color_ignore_orientation'")
    assert 'cannot tell' not in msg
    check(root, color_type='color_ignore_orientation')  # loaded as stored
    # <size> of the turned photo: right for the loader that turns it only.
    tag_orientation(voc_dir, '000000', 6, size=(32, 48))
    check(root)
    check(root, annotated_frame='stored')  # the <size> tells: not needed
    refused(root, path, 'annotation made on the turned photo, but the '
            'loader gives the image as stored',
            color_type='color_ignore_orientation')


@pytest.mark.parametrize('color_type,backend,applied', [
    ('color', 'cv2', True), ('grayscale', 'cv2', True),
    ('color_ignore_orientation', 'cv2', False), ('unchanged', 'cv2', False),
    ('color', 'pillow', True), ('color_ignore_orientation', 'pillow', False)
])
def test_which_loaders_apply_the_orientation(color_type, backend, applied):
    assert loader_applies_orientation('JPEG', color_type, backend) is applied


def test_bad_annotated_frame_value(voc):
    cfg = cfg_of(voc_cfg(voc[0]))
    cfg.data_check = dict(annotated_frame='rotated')
    with pytest.raises(InputError, match="annotated_frame='rotated'"):
        check_data(cfg, ['train_dataloader'])
