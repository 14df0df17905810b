"""Each kind of bad VOC-style data is named (file and problem) by
check_data, before any model or data loader is built."""
import os
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmsnn  # noqa: F401
from mmsnn.utils import InputError, check_data, iter_dataset_cfgs
from tests.tiny_voc import CLASSES, write_tiny_voc


def voc_cfg(root, split='trainval'):
    return dict(
        type='VOCDataset',
        data_root=root,
        metainfo=dict(classes=CLASSES),
        ann_file=f'VOC2007/ImageSets/Main/{split}.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        pipeline=[])


def cfg_of(dataset):
    init_default_scope('mmdet')
    return Config(dict(train_dataloader=dict(dataset=dataset)))


@pytest.fixture
def voc(tmp_path):
    root = write_tiny_voc(tmp_path / 'data', num_train=3, num_test=1,
                          size=32)
    return root, osp.join(root, 'VOC2007')


def check_fails(root, *culprits):
    with pytest.raises(InputError) as e:
        check_data(cfg_of(voc_cfg(root)), ['train_dataloader'])
    for culprit in culprits:
        assert culprit in str(e.value), str(e.value)
    return str(e.value)


def set_box(xml, box):
    with open(xml) as f:
        text = f.read()
    start, end = text.index('<bndbox>'), text.index('</bndbox>')
    x1, y1, x2, y2 = box
    with open(xml, 'w') as f:
        f.write(text[:start] + f'<bndbox><xmin>{x1}</xmin><ymin>{y1}</ymin>'
                f'<xmax>{x2}</xmax><ymax>{y2}</ymax>' + text[end:])


def test_good_data_passes(voc):
    check_data(cfg_of(voc_cfg(voc[0])), ['train_dataloader'])


def test_wrappers_are_walked_with_cfg_option_keys(voc):
    dataset = dict(type='RepeatDataset', times=2, dataset=dict(
        type='ConcatDataset', datasets=[voc_cfg(voc[0]), voc_cfg('/nope/')]))
    keys = [k for k, _ in iter_dataset_cfgs(dataset, 'train_dataloader.'
                                            'dataset')]
    assert keys == ['train_dataloader.dataset.dataset.datasets.0',
                    'train_dataloader.dataset.dataset.datasets.1']
    with pytest.raises(InputError) as e:
        check_data(cfg_of(dataset), ['train_dataloader'])
    msg = str(e.value)
    assert '/nope/' in msg and 'dataset.dataset.datasets.1' in msg
    # The printed override works: every leaf's data_root key is listed.
    assert ('--cfg-options train_dataloader.dataset.dataset.datasets.0.'
            'data_root=') in msg
    assert 'docs/dataset_prepare.md' in msg


def test_split_file_missing(voc):
    os.remove(osp.join(voc[1], 'ImageSets/Main/trainval.txt'))
    check_fails(voc[0], 'trainval.txt', 'does not exist')


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


def test_printed_overrides_point_the_voc_config_at_other_data(voc, tmp_path):
    import argparse
    import shutil

    from mmengine.config import DictAction
    root, voc2007 = voc
    shutil.copytree(voc2007, osp.join(root, 'VOC2012'))  # a tiny VOC07+12
    config = osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))),
                      'configs/snn_yolov3/snn_yolov3_d53_voc_t6.py')
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({'train_dataloader.dataset.datasets.0.data_root':
                         str(tmp_path / 'nowhere/')})
    loaders = ['train_dataloader', 'val_dataloader']
    with pytest.raises(InputError) as e:
        check_data(cfg, loaders)
    options = str(e.value).split('--cfg-options ')[1].split()
    options = [o.replace('/path/to/your/data/', root) for o in options]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options', *options])
                        .cfg_options)
    check_data(cfg, loaders)  # every data set now reads the tiny copy
