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


def test_persistent_workers_without_workers_name_the_keys(voc):
    """mmdet's bases set persistent_workers=True: --cfg-options
    val_dataloader.num_workers=0 alone made torch fail in runner.train()."""
    cfg = cfg_of(voc_cfg(voc[0]))
    cfg.train_dataloader.update(num_workers=0, persistent_workers=True)
    with pytest.raises(InputError) as e:
        check_data(cfg, ['train_dataloader'])
    assert ('train_dataloader.num_workers=0 with '
            'train_dataloader.persistent_workers=True' in str(e.value))
    assert 'train_dataloader.persistent_workers=False' in str(e.value)
    cfg.train_dataloader.persistent_workers = False
    check_data(cfg, ['train_dataloader'])
    cfg.train_dataloader.update(num_workers=1, persistent_workers=True)
    check_data(cfg, ['train_dataloader'])


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
    assert 'data/VOCdevkit/VOC2007' in msg  # a VOC data set: the VOC hint
    assert 'make_mini_gen1' not in msg


# A missing event-camera root: the hint follows the data set's type.

GEN1_HINTS = ('`python tools/misc/make_mini_gen1.py --out data/mini_gen1`',
              'docs/events.md', 'NAME_td.dat', 'NAME_bbox.npy')


def gen1_cfg(root, dataset_type='Gen1Dataset'):
    return dict(type=dataset_type, data_root=root, test_mode=True,
                data_prefix=dict(events='test/'), pipeline=[])


def missing_data_message(cfg, loaders=('train_dataloader', )):
    with pytest.raises(InputError) as e:
        check_data(cfg, list(loaders), 'cfg.py')
    return str(e.value)


def test_missing_gen1_root_gives_the_gen1_hints(tmp_path):
    root = str(tmp_path / 'mini_gen1')
    msg = missing_data_message(cfg_of(gen1_cfg(root + '/')))
    assert msg.startswith(f'No data set at {root}/')
    assert 'train_dataloader.dataset in cfg.py' in msg
    for hint in GEN1_HINTS:
        assert hint in msg, msg
    assert f'ln -s /path/to/gen1 {root})' in msg  # where real Gen1 goes
    assert 'VOCdevkit' not in msg and 'should hold .' not in msg
    assert '--cfg-options train_dataloader.dataset.data_root=' in msg


def test_gen1_is_recognised_by_class_not_name(tmp_path):
    from mmdet.registry import DATASETS

    from mmsnn.datasets import Gen1Dataset

    @DATASETS.register_module(name='TestDataCheckEvents', force=True)
    class Events(Gen1Dataset):
        pass

    msg = missing_data_message(cfg_of(gen1_cfg(str(tmp_path / 'x/'),
                                               'TestDataCheckEvents')))
    for hint in GEN1_HINTS:
        assert hint in msg, msg


def test_the_gen1_configs_name_their_roots(tmp_path):
    from tests.conftest import repo_path
    for name in ('snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py', 'snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py'):
        cfg = Config.fromfile(repo_path(f'configs/events/{name}'))
        root = str(tmp_path / 'nowhere') + '/'
        for loader in ('train', 'val', 'test'):
            cfg.merge_from_dict({f'{loader}_dataloader.dataset.data_root':
                                 root})
        msg = missing_data_message(cfg, ['train_dataloader',
                                         'val_dataloader', 'test_dataloader'])
        for loader in ('train', 'val', 'test'):  # overrides for each
            assert f'{loader}_dataloader.dataset.data_root=' in msg
        for hint in GEN1_HINTS:
            assert hint in msg, (name, msg)
        assert 'VOCdevkit' not in msg


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
                      'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
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


# What mmdet's loader would crash on, or train on silently, hours in.


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
    import mmsnn.utils.data_check as data_check
    logged = []
    monkeypatch.setattr(data_check, 'print_log',
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


def test_missing_mini_voc_says_how_to_generate_it(tmp_path):
    from tests.conftest import repo_path
    cfg = Config.fromfile(repo_path('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'))
    root = str(tmp_path / 'mini_voc' / 'VOCdevkit') + '/'
    cfg.train_dataloader.dataset.data_root = root
    msg = missing_data_message(cfg)
    assert msg.startswith(f'No data set at {root}'), msg
    expected = ('python tools/misc/make_mini_voc.py --out '
                f'{tmp_path / "mini_voc"} ')
    assert expected in msg, msg
    assert 'download VOC2007' not in msg  # that is PASCAL VOC's hint


def test_mini_voc_hint_names_the_script_from_another_folder(tmp_path,
                                                            monkeypatch):
    """Run from outside the checkout, the command as printed works."""
    from tests.conftest import repo_path
    cfg = Config.fromfile(
        repo_path('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'))
    monkeypatch.chdir(tmp_path)
    msg = missing_data_message(cfg)
    script = repo_path('tools/misc/make_mini_voc.py')
    assert f'python {script} --out data/mini_voc ' in msg, msg
