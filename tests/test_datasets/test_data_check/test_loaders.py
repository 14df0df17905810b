"""mmsnn.datasets.data_check.loaders: the data sets of a config's data
loaders are found through wrappers and checked before any model or data
loader is built."""
import os
import os.path as osp

import pytest
from mmengine.config import Config

from mmsnn.datasets import check_data
from mmsnn.utils import InputError, iter_dataset_cfgs
from tests.conftest import repo_path
from .voc_data import cfg_of, check_fails, rename_objects, voc_cfg


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


def test_split_file_missing(voc):
    os.remove(osp.join(voc[1], 'ImageSets/Main/trainval.txt'))
    check_fails(voc[0], 'trainval.txt', 'does not exist')


def test_printed_overrides_point_the_voc_config_at_other_data(voc, tmp_path):
    import argparse
    import shutil

    from mmengine.config import DictAction
    root, voc2007 = voc
    rename_objects(voc2007, ['person', 'dog'])  # the VOC config's classes
    shutil.copytree(voc2007, osp.join(root, 'VOC2012'))  # a tiny VOC07+12
    config = repo_path('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
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
