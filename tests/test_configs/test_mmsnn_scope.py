"""Every config, and every deprecated alias, inherited as ``mmsnn::...``
from a folder outside the checkout resolves to the same settings as read
from the checkout.

mmengine finds ``mmsnn::`` configs in ``<installed mmsnn>/.mim/configs``;
the test points that lookup at this checkout's configs (whatever mmsnn the
environment has installed), so it checks the configs, not the install.
tests/test_packaging/test_install.py checks the install."""
import glob
import os
import os.path as osp

import mmengine.config.config as mmengine_config
import pytest
from mmengine.config import Config

from mmsnn.utils.config_digest import config_settings
from tests.conftest import repo_path

CONFIGS = sorted(
    osp.relpath(p, repo_path('configs'))
    for p in glob.glob(repo_path('configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


def _without_scopes(value):
    if isinstance(value, dict):
        return {k: _without_scopes(v) for k, v in value.items()
                if k != '_scope_'}
    if isinstance(value, list):
        return [_without_scopes(v) for v in value]
    return value


@pytest.fixture
def installed_here(tmp_path, monkeypatch):
    """``mmsnn::`` resolved to a package folder whose .mim holds this
    checkout's configs/ and model-index.yml, as an install's does."""
    package = tmp_path / 'site-packages' / 'mmsnn'
    (package / '.mim').mkdir(parents=True)
    for name in ('configs', 'model-index.yml'):
        os.symlink(repo_path(name), package / '.mim' / name)
    real = mmengine_config.get_installed_path
    monkeypatch.setattr(
        mmengine_config, 'get_installed_path',
        lambda name: str(package) if name == 'mmsnn' else real(name))
    user = tmp_path / 'my_project'
    user.mkdir()
    return user


@pytest.mark.parametrize('config', CONFIGS)
def test_inherited_as_mmsnn_scope_from_another_folder(config, installed_here):
    mine = installed_here / 'my_config.py'
    mine.write_text(
        f"_base_ = 'mmsnn::{config}'\n"
        "custom_imports = dict(imports=['mmsnn'], "
        'allow_failed_imports=False)\n')
    inherited = Config.fromfile(str(mine))
    direct = Config.fromfile(repo_path('configs', config))
    assert _without_scopes(config_settings(inherited)) == \
        _without_scopes(config_settings(direct))


def test_every_family_is_covered():
    """Every folder of configs/ (EMS-YOLO's and SpikeYOLO's included) has
    its configs among those checked above."""
    families = {p.split(os.sep)[0] for p in CONFIGS}
    folders = {d for d in os.listdir(repo_path('configs'))
               if osp.isdir(repo_path('configs', d)) and d != '_base_'}
    assert families == folders
    assert {'ems_yolo', 'spikeyolo'} <= families
