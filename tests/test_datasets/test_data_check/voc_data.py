"""Tiny VOC-style data sets and configs for the data checks' tests."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsnn.datasets import check_data
from mmsnn.utils import InputError
from tests.tiny_voc import CLASSES


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


def check_fails(root, *culprits):
    with pytest.raises(InputError) as e:
        check_data(cfg_of(voc_cfg(root)), ['train_dataloader'])
    for culprit in culprits:
        assert culprit in str(e.value), str(e.value)
    return str(e.value)


def missing_data_message(cfg, loaders=('train_dataloader', )):
    with pytest.raises(InputError) as e:
        check_data(cfg, list(loaders), 'cfg.py')
    return str(e.value)


def rename_objects(voc_dir, names):
    """Give the objects of every annotation the classes ``names`` in turn;
    returns the number of objects renamed."""
    count = 0
    for xml in sorted(glob.glob(osp.join(voc_dir, 'Annotations/*.xml'))):
        with open(xml) as f:
            text = f.read()

        def rename(match):
            nonlocal count
            count += 1
            return f'<name>{names[(count - 1) % len(names)]}</name>'

        with open(xml, 'w') as f:
            f.write(re.sub(r'<name>[^<]*</name>', rename, text))
    return count
