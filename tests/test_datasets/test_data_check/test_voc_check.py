"""mmsnn.datasets.data_check.voc_check: each kind of bad VOC-style data is
named (file and problem) before any model or data loader is built."""
import os.path as osp

import pytest

from mmsnn.datasets import check_data
from mmsnn.utils import InputError
from .voc_data import cfg_of, check_fails, rename_objects, voc_cfg


def set_box(xml, box):
    with open(xml) as f:
        text = f.read()
    start, end = text.index('<bndbox>'), text.index('</bndbox>')
    x1, y1, x2, y2 = box
    with open(xml, 'w') as f:
        f.write(text[:start] + f'<bndbox><xmin>{x1}</xmin><ymin>{y1}</ymin>'
                f'<xmax>{x2}</xmax><ymax>{y2}</ymax>' + text[end:])


def test_split_lists_id_without_image_or_annotation(voc):
    with open(osp.join(voc[1], 'ImageSets/Main/trainval.txt'), 'a') as f:
        f.write('999999\n')
    msg = check_fails(voc[0], 'image missing', 'annotation missing')
    assert 'JPEGImages/999999.jpg' in msg
    assert 'Annotations/999999.xml' in msg


def test_malformed_xml(voc):
    xml = osp.join(voc[1], 'Annotations/000001.xml')
    with open(xml, 'a') as f:
        f.write('<object><name>box</name')
    check_fails(voc[0], 'malformed XML', xml)


def test_unknown_class_is_skipped_with_a_warning(voc):
    xml = osp.join(voc[1], 'Annotations/000002.xml')
    with open(xml) as f:
        text = f.read()
    first = text.index('<name>') + len('<name>')
    text = text[:first] + 'persn' + text[text.index('</name>'):]
    with open(xml, 'w') as f:
        f.write(text)
    with pytest.warns(UserWarning, match="'persn' in .*000002.xml"):
        check_data(cfg_of(voc_cfg(voc[0])), ['train_dataloader'])


@pytest.mark.parametrize('box,kind', [((10, 5, 10, 20), 'degenerate box'),
                                      ((10, 20, 15, 8), 'degenerate box'),
                                      ((10, 5, 40, 20),
                                       'box outside the image')])
def test_bad_box(voc, box, kind):
    xml = osp.join(voc[1], 'Annotations/000000.xml')
    set_box(xml, box)
    msg = check_fails(voc[0], kind, xml, "object 0 ('")
    assert str(box).replace(' ', '') in msg.replace(' ', '')


def test_truncated_and_non_jpeg_images(voc):
    jpg = osp.join(voc[1], 'JPEGImages/000001.jpg')
    with open(jpg, 'rb') as f:
        data = f.read()
    with open(jpg, 'wb') as f:
        f.write(data[:len(data) // 2])
    check_fails(voc[0], 'image truncated', jpg)
    with open(jpg, 'wb') as f:
        f.write(b'<html>404</html>')
    check_fails(voc[0], 'not an image', jpg)


def test_empty_split_and_bad_size(voc):
    xml = osp.join(voc[1], 'Annotations/000000.xml')
    with open(xml) as f:
        text = f.read()
    with open(xml, 'w') as f:
        f.write(text.replace('<width>32</width>', '<width>0</width>'))
    check_fails(voc[0], 'bad <size>', xml)
    open(osp.join(voc[1], 'ImageSets/Main/trainval.txt'), 'w').close()
    check_fails(voc[0], 'lists no image ids')


def split_file(voc_dir):
    return osp.join(voc_dir, 'ImageSets/Main/trainval.txt')


@pytest.mark.parametrize('text,line,kind', [
    ('000000\n\n000001\n000002\n', 2, 'blank line'),
    ('000000\n000001\n000002\n\n', 4, 'blank line'),  # at the end
    ('000000\n000001 \n000002\n', 2, 'spaces in an id'),
    ('000000\n 000001\n000002\n', 2, 'spaces in an id'),
])
def test_split_file_read_as_mmdet_reads_it(voc, text, line, kind):
    from mmengine.fileio import list_from_file
    with open(split_file(voc[1]), 'w') as f:
        f.write(text)
    # What XMLDataset would look for: the line as it is.
    assert any(i != i.strip() or not i
               for i in list_from_file(split_file(voc[1])))
    check_fails(voc[0], kind, f'trainval.txt line {line}')


def test_truncated_png_saved_as_jpg(voc):
    import cv2
    import numpy as np
    jpg = osp.join(voc[1], 'JPEGImages/000001.jpg')
    ok, png = cv2.imencode('.png', np.full((32, 32, 3), 90, np.uint8))
    with open(jpg, 'wb') as f:
        f.write(png.tobytes()[:len(png) * 2 // 3])
    for decode in (True, False):  # the structural check catches it too
        with pytest.raises(InputError, match='PNG without its IEND') as e:
            check_data(cfg_of(voc_cfg(voc[0])), ['train_dataloader'])
        assert jpg in str(e.value)


def corrupt_middle(path):
    """Overwrite 50 bytes in the middle of the entropy-coded data: libjpeg
    decodes it with a warning on stderr."""
    import numpy as np
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    middle = len(data) // 2
    data[middle:middle + 50] = np.random.default_rng(0).integers(
        0, 255, 50, dtype=np.uint8).tobytes()
    with open(path, 'wb') as f:
        f.write(data)


def test_jpeg_corrupted_in_the_middle_is_found_by_decoding(voc):
    import cv2
    jpg = osp.join(voc[1], 'JPEGImages/000002.jpg')
    corrupt_middle(jpg)
    assert cv2.imread(jpg) is not None  # what the loader would train on
    msg = check_fails(voc[0], 'corrupt image data', 'Corrupt JPEG data',
                      jpg)
    assert '000000.jpg' not in msg and '000001.jpg' not in msg  # intact
    # Without decoding, only the structure is checked (markers intact).
    cfg = cfg_of(voc_cfg(voc[0]))
    cfg.data_check = dict(decode_images=False)
    check_data(cfg, ['train_dataloader'])
    cfg.data_check = dict(decode_images='yes')
    with pytest.raises(InputError, match='data_check.decode_images'):
        check_data(cfg, ['train_dataloader'])


@pytest.mark.parametrize('decode', [True, False])
def test_size_in_xml_must_be_the_image_size(voc, decode):
    xml = osp.join(voc[1], 'Annotations/000000.xml')
    with open(xml) as f:
        text = f.read()
    with open(xml, 'w') as f:
        f.write(text.replace('<width>32</width>', '<width>320</width>'))
    cfg = cfg_of(voc_cfg(voc[0]))
    cfg.data_check = dict(decode_images=decode)
    with pytest.raises(InputError) as e:
        check_data(cfg, ['train_dataloader'])
    msg = str(e.value)
    assert '<size> differs from the image' in msg and xml in msg
    assert '<width> 320 <height> 32, but the image is 32 x 32' in msg


def test_images_without_objects_are_counted(voc, monkeypatch):
    from mmsnn.datasets.data_check import voc_check
    logged = []
    monkeypatch.setattr(voc_check, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    xml = osp.join(voc[1], 'Annotations/000001.xml')
    with open(xml) as f:
        text = f.read()
    with open(xml, 'w') as f:  # no object left
        f.write(text[:text.index('<object>')] + '</annotation>\n')
    cfg = cfg_of(dict(voc_cfg(voc[0]),
                      filter_cfg=dict(filter_empty_gt=True)))
    check_data(cfg, ['train_dataloader'])
    out = '\n'.join(logged)
    assert ("1 of 3 images have no object of the data set's classes and "
            'are dropped from training') in out
    assert '2 remain' in out
    logged.clear()
    check_data(cfg_of(voc_cfg(voc[0])), ['train_dataloader'])  # no filter
    assert logged and 'dropped' not in '\n'.join(logged)


@pytest.mark.parametrize('train', [True, False])
def test_split_without_any_object_of_the_classes_is_refused(voc, train):
    rename_objects(voc[1], ['person', 'dog', 'person'])
    cfg = dict(voc_cfg(voc[0]), filter_cfg=dict(filter_empty_gt=True),
               test_mode=not train)
    with pytest.raises(InputError) as e:
        check_data(cfg_of(cfg), ['train_dataloader'])
    msg = str(e.value)
    assert 'None of the objects of train_dataloader.dataset' in msg
    assert 'VOC2007/ImageSets/Main/trainval.txt' in msg
    assert "'person' (" in msg and "'dog' (" in msg
    assert "classes ('box', 'bar', 'dot')" in msg
    assert ('no image would be left to train on' in msg) == train
    assert osp.isfile(osp.join(voc[1], 'Annotations/000000.xml'))


def test_split_whose_images_have_no_object_is_refused_in_training(voc):
    import glob
    for xml in glob.glob(osp.join(voc[1], 'Annotations/*.xml')):
        with open(xml) as f:
            text = f.read()
        with open(xml, 'w') as f:
            f.write(text[:text.index('<object>')] + '</annotation>\n')
    cfg = dict(voc_cfg(voc[0]), filter_cfg=dict(filter_empty_gt=True))
    with pytest.raises(InputError, match='None of the 3 images of '
                       'train_dataloader.dataset .* has an object'):
        check_data(cfg_of(cfg), ['train_dataloader'])
    check_data(cfg_of(voc_cfg(voc[0])), ['train_dataloader'])  # no filter
