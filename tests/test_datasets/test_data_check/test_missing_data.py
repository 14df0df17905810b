"""mmsnn.datasets.data_check.missing_data: a missing data root is named
with what it should hold and how to get it, the hint following the data
set's type."""
import os.path as osp

from mmengine.config import Config

from .voc_data import cfg_of, missing_data_message, voc_cfg

GEN1_HINTS = ('`python tools/misc/make_mini_gen1.py --out data/mini_gen1`',
              'docs/events.md', 'NAME_td.dat', 'NAME_bbox.npy')


def gen1_cfg(root, dataset_type='Gen1Dataset'):
    return dict(type=dataset_type, data_root=root, test_mode=True,
                data_prefix=dict(events='test/'), pipeline=[])


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
    for name in ('snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py',
                 'snn-yolov3_d53-mini_1xb8-192-10e_gen1_t4.py'):
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


def test_missing_mini_voc_says_how_to_generate_it(tmp_path):
    from tests.conftest import repo_path
    cfg = Config.fromfile(
        repo_path('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'))
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
    """Run from outside the checkout, the command as printed works from
    the repository's root: it writes where the config looks."""
    from tests.conftest import repo_path
    cfg = Config.fromfile(
        repo_path('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'))
    monkeypatch.chdir(tmp_path)
    msg = missing_data_message(cfg)
    assert ('python tools/misc/make_mini_voc.py --out '
            f'{tmp_path / "data" / "mini_voc"} from the root of the mmsnn '
            'repository') in msg, msg
    assert osp.isfile(repo_path('tools/misc/make_mini_voc.py'))


def test_registered_hints_follow_the_type_nearest_first(tmp_path):
    """A hint registered for a class answers for its subclasses; one that
    returns None leaves the data set to the next hint, then to the VOC
    hint; the mini-VOC hint answers only for its own layout."""
    from mmdet.datasets import VOCDataset
    from mmdet.registry import DATASETS

    from mmsnn.datasets import register_missing_data_hint
    from mmsnn.datasets.data_check import missing_data

    @DATASETS.register_module(name='TestHintedVOC', force=True)
    class Hinted(VOCDataset):
        pass

    @DATASETS.register_module(name='TestHintedVOCChild', force=True)
    class Child(Hinted):
        pass

    asked = []

    @register_missing_data_hint(Hinted)
    def hint(dataset, root):
        asked.append(type(dataset).__name__)
        return f'ask the lab for {root}.' if 'from_lab' in root else None

    try:
        root = str(tmp_path / 'from_lab') + '/'
        msg = missing_data_message(cfg_of(dict(voc_cfg(root),
                                               type='TestHintedVOCChild')))
        assert f'ask the lab for {root}. To use another location' in msg
        msg = missing_data_message(cfg_of(dict(voc_cfg(str(tmp_path) + '/x/'),
                                               type='TestHintedVOC')))
        assert 'ask the lab' not in msg and 'download VOC2007' in msg
        assert asked == ['Child', 'Hinted']
        # the mini-VOC hint (on XMLDataset) passes other VOC-style sets on
        msg = missing_data_message(cfg_of(voc_cfg('/nope/')))
        assert 'make_mini_voc' not in msg and 'download VOC2007' in msg
    finally:
        missing_data._HINTS[Hinted].remove(hint)
