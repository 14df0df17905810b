"""Every config resolves to the values it had before it was laid out on
configs/_base_/, under its new name and, where the old name had been
released, through its deprecated alias; the main job's settings digest and
published range survive.

Two fixtures hold ``Config.fromfile(path).to_dict()`` of every config as it
was, recorded before each change: tests/data/configs_before_issue35.json
(the configs of release 0.1.0, before configs/ was laid out as mmdet's) and
tests/data/configs_before_issue36_37.json (the EMS-YOLO and SpikeYOLO
configs, new in this release, before they moved onto configs/_base_). The
comparison is of :func:`mmsnn.utils.config_digest.config_settings`: the
top-level keys a run reads, without mmengine's ``_scope_`` bookkeeping for
the default scope. What it leaves out are the helper variables of the old
files (``voc_trainval``, ``c3``, ``gen1_split``, ...), which no runner or
tool reads. The differences in what a run reads are listed in
:data:`DIFFERENCES`, each with why.
"""
import glob
import json
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mmsnn.utils.config_digest import config_settings, settings_digest
from tests.conftest import repo_path

FIXTURES = ('configs_before_issue35.json', 'configs_before_issue36_37.json')
MAIN_SNN = 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'
MAIN_SNN_BEFORE = 'configs/mini_voc/snn_yolov3_minivoc_t4.py'

#: Configs renamed without an alias: new in this release, so no released
#: name to keep (docs/changelog.md). Old path -> new path.
RENAMED = {
    f'configs/{old}': f'configs/{new}' for old, new in (
        ('ems_yolo/ems-yolo_res10-ee_8xb8-150e_coco_t5.py',
         'ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_coco_t5.py'),
        ('ems_yolo/ems-yolo_res18-ee_8xb8-150e_coco_t5.py',
         'ems_yolo/ems-yolo_res18-ee_8xb8-640-150e_coco_t5.py'),
        ('ems_yolo/ems-yolo_resnet34-cat_8xb8-150e_coco_t5.py',
         'ems_yolo/ems-yolo_resnet34-cat_8xb8-640-150e_coco_t5.py'),
        ('ems_yolo/ems-yolo_res10-ee_8xb8-150e_voc0712_t4.py',
         'ems_yolo/ems-yolo_res10-ee_8xb8-640-150e_voc0712_t4.py'),
        ('ems_yolo/ems-yolo_res10-ee_8xb1-250e_gen1_t5.py',
         'ems_yolo/ems-yolo_res10-ee_8xb1-320-250e_gen1_t5.py'),
        ('ems_yolo/ems-yolo_res10-ee_minivoc_t4.py',
         'ems_yolo/ems-yolo_res10-ee-mini_1xb8-160-4e_minivoc_t4.py'),
        ('ems_yolo/ems-yolo_res10-ee_minigen1_t4.py',
         'ems_yolo/ems-yolo_res10-ee-mini_1xb8-192-10e_minigen1_t4.py'),
        ('spikeyolo/spikeyolo_n_1xb40-300e_coco_t1d4.py',
         'spikeyolo/spikeyolo_n_1xb40-640-300e_coco_t1d4.py'),
        ('spikeyolo/spikeyolo_s_1xb40-300e_coco_t1d4.py',
         'spikeyolo/spikeyolo_s_1xb40-640-300e_coco_t1d4.py'),
        ('spikeyolo/spikeyolo_m_1xb40-300e_coco_t1d4.py',
         'spikeyolo/spikeyolo_m_1xb40-640-300e_coco_t1d4.py'),
        ('spikeyolo/spikeyolo_l_1xb40-300e_coco_t1d4.py',
         'spikeyolo/spikeyolo_l_1xb40-640-300e_coco_t1d4.py'),
        ('spikeyolo/spikeyolo_s_1xb40-100e_voc0712_t1d4.py',
         'spikeyolo/spikeyolo_s_1xb40-640-100e_voc0712_t1d4.py'),
        ('spikeyolo/spikeyolo_s_1xb40-100e_gen1_t2d4.py',
         'spikeyolo/spikeyolo_s_1xb40-192-100e_gen1_t2d4.py'),
        ('spikeyolo/spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py',
         'spikeyolo/spikeyolo_s-mini_1xb8-160-2e_minivoc_t1d4.py'),
        ('spikeyolo/spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py',
         'spikeyolo/spikeyolo_s-mini_1xb8-192-3e_minigen1_t2d4.py'),
    )
}

_CUSTOM_HOOKS = ('the ANN twin inherited the SNN config and emptied its '
                 'hooks ([]); now it never has any (absent)')
_TOP_PREPROCESSOR = ("a top-level one inherited from the YOLOv3 config "
                     "whose model it replaced; the runner uses the model's "
                     'own (now: absent)')
_LOOPS = ('added: mmengine refuses a val_dataloader and val_evaluator '
          'without a val_cfg, so these configs could not build a runner')
_END = ("absent: the runner ends the decay at train_cfg's max_epochs, the "
        'value it had')
_AUTO_SCALE = ('read only with --auto-scale-lr (off): now the mini '
               "schedule's, as every mini config's")
_BACKEND = "backend_args=None is the data set's default"
#: The epochs that fit the comparison's budget (docs/model_zoo.md): the
#: length of the schedule, its validation and its one checkpoint.
_BUDGET = {key: 'epochs that fit the comparison\'s budget' for key in (
    'train_cfg.max_epochs', 'train_cfg.val_interval',
    'default_hooks.checkpoint.interval')}
#: Old config -> {a setting a run reads whose value changed (a top-level
#: key, or a dotted path into one): why}; every other setting is equal.
DIFFERENCES = {
    'configs/mini_voc/yolov3_minivoc.py': {'custom_hooks': _CUSTOM_HOOKS},
    'configs/events/yolov3_minigen1.py': {'custom_hooks': _CUSTOM_HOOKS},
    'configs/mini_voc/retinanet_snn-r18_snn-fpn_cmd_minivoc_t4.py': {
        'data_preprocessor': _TOP_PREPROCESSOR},
    'configs/ems_yolo/ems-yolo_res10-ee_minigen1_t4.py': {
        'data_preprocessor': _TOP_PREPROCESSOR},
    **{f'configs/ems_yolo/{name}': {'val_cfg': _LOOPS, 'test_cfg': _LOOPS}
       for name in ('ems-yolo_res10-ee_8xb8-150e_coco_t5.py',
                    'ems-yolo_res18-ee_8xb8-150e_coco_t5.py',
                    'ems-yolo_resnet34-cat_8xb8-150e_coco_t5.py',
                    'ems-yolo_res10-ee_8xb8-150e_voc0712_t4.py')},
    'configs/ems_yolo/ems-yolo_res10-ee_8xb1-250e_gen1_t5.py': {
        'val_cfg': _LOOPS, 'test_cfg': _LOOPS,
        'default_hooks.logger.interval': 'every 20 iterations, as every '
        'Gen1 config (configs/_base_/default_runtime_gen1.py)'},
    **{f'configs/spikeyolo/spikeyolo_{name}': {'param_scheduler.1.end': _END}
       for name in ('n_1xb40-300e_coco_t1d4.py', 's_1xb40-300e_coco_t1d4.py',
                    'm_1xb40-300e_coco_t1d4.py', 'l_1xb40-300e_coco_t1d4.py',
                    's_1xb40-100e_voc0712_t1d4.py')},
    'configs/spikeyolo/spikeyolo_s_1xb40-100e_gen1_t2d4.py': {
        'param_scheduler.1.end': _END,
        'randomness': 'seed 0 came from the synthetic config it inherited; '
        'a real-data config draws its seed, as the family\'s others'},
    'configs/ems_yolo/ems-yolo_res10-ee_minivoc_t4.py': {
        'data_preprocessor': _TOP_PREPROCESSOR, **_BUDGET},
    'configs/spikeyolo/spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py': {
        **_BUDGET, 'auto_scale_lr.base_batch_size': _AUTO_SCALE,
        'val_dataloader.dataset.backend_args': _BACKEND,
        'test_dataloader.dataset.backend_args': _BACKEND},
    'configs/spikeyolo/spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py': {
        **_BUDGET, 'auto_scale_lr.base_batch_size': _AUTO_SCALE},
}


def _fixture():
    configs = {}
    for name in FIXTURES:
        with open(repo_path('tests', 'data', name)) as f:
            configs.update(json.load(f)['configs'])
    return configs


def _before(configs, path):
    entry = configs[path]
    return _before(configs, entry['same_as']) if 'same_as' in entry \
        else entry['values']


def _alias(old):
    """configs/deprecated/<old path under configs/>."""
    return osp.join('configs', 'deprecated', osp.relpath(old, 'configs'))


def _renamed_to(old):
    """The config an old path is now: itself, its new name, or its alias's
    target."""
    if old in RENAMED:
        return RENAMED[old]
    if osp.isfile(repo_path(old)):
        return old
    with open(repo_path(_alias(old))) as f:
        return re.search(r"expected='(configs/[^']+)'", f.read()).group(1)


OLD_PATHS = sorted(_fixture())


@pytest.mark.parametrize('old', OLD_PATHS)
def test_config_resolves_to_its_old_values(old):
    configs = _fixture()
    new = _renamed_to(old)
    before = config_settings(_before(configs, old))
    after = config_settings(Config.fromfile(repo_path(new)))
    for path in DIFFERENCES.get(old, {}):
        assert _pop(before, path) != _pop(after, path), (old, path)
    assert after == before, f'{new} (was {old})'


def _pop(settings, path):
    """Remove and return the value at a dotted ``path`` (list items by
    index); ``'<absent>'`` where there is none."""
    *parents, last = path.split('.')
    for key in parents:
        settings = settings[int(key) if isinstance(settings, list) else key]
    if isinstance(settings, list):
        return settings.pop(int(last))
    return settings.pop(last, '<absent>')


@pytest.mark.parametrize('old', OLD_PATHS)
def test_renamed_configs_keep_working_through_their_alias(old):
    new = _renamed_to(old)
    if new == old or old in RENAMED:
        assert not osp.exists(repo_path(_alias(old)))
        assert new == old or not osp.exists(repo_path(old)), old
        return
    assert not osp.exists(repo_path(old)), old
    alias = Config.fromfile(repo_path(_alias(old)))
    assert alias.to_dict() == Config.fromfile(repo_path(new)).to_dict()


def test_every_alias_is_of_a_config_that_was():
    aliases = glob.glob(repo_path('configs', 'deprecated', '**', '*.py'),
                        recursive=True)
    assert aliases
    for alias in aliases:
        rel = osp.relpath(alias, repo_path('configs', 'deprecated'))
        assert f'configs/{rel}' in OLD_PATHS, rel


def test_main_job_settings_digest_survives_and_is_published():
    """The main job's SNN settings: the same digest for the config as it
    was and as it is, and the digest configs/mini_voc/results.json keeps
    its published range under (so that range stays valid)."""
    configs = _fixture()
    before = _before(configs, MAIN_SNN_BEFORE)
    assert configs[MAIN_SNN_BEFORE]['digest'] == 'a9a046c2'  # as printed
    digest = settings_digest(Config.fromfile(repo_path(MAIN_SNN)))
    assert digest == settings_digest(before)
    with open(repo_path('configs', 'mini_voc', 'results.json')) as f:
        results = json.load(f)
    assert results['snn']['snn_settings'] == digest
    assert {run['snn_settings'] for run in results['runs']} == {digest}


def test_settings_digest_follows_what_a_run_reads():
    """A helper variable or a default-scope marker leaves the digest as it
    is; a setting a run reads changes it."""
    cfg = Config.fromfile(repo_path(MAIN_SNN))
    digest = settings_digest(cfg)
    cfg.img_scale = (320, 320)  # a helper: already resolved into loaders
    cfg.model['_scope_'] = 'mmdet'
    assert settings_digest(cfg) == digest
    cfg.train_dataloader.num_workers = 1
    assert settings_digest(cfg) != digest
    cfg.train_dataloader.num_workers = 0
    cfg.model['_scope_'] = 'mmyolo'  # another scope builds other classes
    assert settings_digest(cfg) != digest


CONFIGS = sorted(
    osp.relpath(p, repo_path())
    for p in glob.glob(repo_path('configs', '**', '*.py'), recursive=True)
    if '_base_' not in p and 'deprecated' not in p)


@pytest.mark.parametrize('path', CONFIGS)
def test_loops_come_with_their_loaders(path):
    """mmengine's Runner refuses a val (test) dataloader or evaluator
    without a val (test) loop, and the other way round."""
    cfg = Config.fromfile(repo_path(path))
    for part in ('val', 'test'):
        keys = [f'{part}_dataloader', f'{part}_cfg', f'{part}_evaluator']
        given = [cfg.get(k) is not None for k in keys]
        assert all(given) or not any(given), (path, dict(zip(keys, given)))
