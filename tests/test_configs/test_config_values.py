"""Every config resolves to the values it had before configs/ was laid out
as mmdet's (issue 35), under its new name and through its deprecated
alias, and the main job's settings digest and published range survive.

tests/data/configs_before_issue35.json holds ``Config.fromfile(path)
.to_dict()`` of every config as it was, recorded before the change. The
comparison is of :func:`mmsnn.utils.config_digest.config_settings`: the
top-level keys a run reads, without mmengine's ``_scope_`` bookkeeping for
the default scope. What it leaves out are the helper variables of the old
files (``voc_trainval``, ``c3``, ``gen1_split``, ...), which no runner or
tool reads. The differences in what a run reads are listed in
:data:`DIFFERENCES`, each with why it changes nothing.
"""
import glob
import json
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mmsnn.utils.config_digest import config_settings, settings_digest
from tests.conftest import repo_path

FIXTURE = repo_path('tests', 'data', 'configs_before_issue35.json')
MAIN_SNN = 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'
MAIN_SNN_BEFORE = 'configs/mini_voc/snn_yolov3_minivoc_t4.py'

#: Old config -> {top-level key a run reads whose value changed: why the
#: change makes no difference to a run}; every other setting is equal.
DIFFERENCES = {
    'configs/mini_voc/yolov3_minivoc.py': {
        'custom_hooks': 'the ANN twin inherited the SNN config and emptied '
                        'its hooks ([]); now it never has any (absent)'},
    'configs/events/yolov3_minigen1.py': {
        'custom_hooks': 'the ANN twin inherited the SNN config and emptied '
                        'its hooks ([]); now it never has any (absent)'},
    'configs/mini_voc/retinanet_snn-r18_snn-fpn_cmd_minivoc_t4.py': {
        'data_preprocessor': 'a top-level one inherited from the YOLOv3 '
                             'config whose model it replaced; the runner '
                             "uses the model's own (now: absent)"},
}


def _fixture():
    with open(FIXTURE) as f:
        return json.load(f)['configs']


def _before(configs, path):
    entry = configs[path]
    return _before(configs, entry['same_as']) if 'same_as' in entry \
        else entry['values']


def _alias(old):
    """configs/deprecated/<old path under configs/>."""
    return osp.join('configs', 'deprecated', osp.relpath(old, 'configs'))


def _renamed_to(old):
    """The config an old path is now: itself, or its alias's target."""
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
    for key in DIFFERENCES.get(old, {}):
        assert before.pop(key) != after.pop(key, None), (old, key)
    assert after == before, f'{new} (was {old})'


@pytest.mark.parametrize('old', OLD_PATHS)
def test_renamed_configs_keep_working_through_their_alias(old):
    new = _renamed_to(old)
    if new == old:
        assert not osp.exists(repo_path(_alias(old)))
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
