"""mmsnn as a user's own project reaches it: installed (importable from any
folder, no sys.path edits), configs inherited as ``mmsnn::...``, and a wheel
that carries them in ``mmsnn/.mim`` as mmdet's does."""
import os
import os.path as osp
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

from tests.tiny_voc import REPO_ROOT, tiny_config_text, write_tiny_voc

BASE = 'snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'
# The old name of BASE, kept for one release (docs/changelog.md).
ALIAS = 'deprecated/snn_yolov3/snn_yolov3_d53_voc_t6.py'


def _clean_env():
    """The user's environment: no PYTHONPATH pointing into the checkout."""
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    return env


def _python(code, cwd):
    return subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=str(cwd), env=_clean_env())


def test_import_and_mim_configs_from_another_folder(tmp_path):
    result = _python(
        'import os, mmsnn\n'
        'from mmengine.utils import get_installed_path\n'
        'print(os.path.realpath(mmsnn.__file__))\n'
        f"for name in ({BASE!r}, {ALIAS!r}):\n"
        "    print(os.path.realpath(os.path.join(get_installed_path('mmsnn'), "
        "'.mim', 'configs', name)))\n", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    module, base, alias = result.stdout.split()
    # The install is this checkout's (editable), and its .mim leads to it.
    assert module == osp.join(osp.realpath(REPO_ROOT), 'mmsnn', '__init__.py')
    assert base == osp.join(osp.realpath(REPO_ROOT), 'configs', BASE)
    assert alias == osp.join(osp.realpath(REPO_ROOT), 'configs', ALIAS)


def test_user_config_inherits_mmsnn_base_trains_and_tests(tmp_path):
    """A user's folder outside the checkout: custom_imports, an mmsnn::
    base narrowed to a tiny model on tiny data; tools given by path."""
    data = write_tiny_voc(str(tmp_path / 'data'), num_train=2, num_test=1,
                          size=32)
    text = tiny_config_text(data, max_epochs=1).replace(
        'img_scale = (64, 64)', 'img_scale = (32, 32)')
    first, rest = text.split('\n', 1)
    assert first.startswith('_base_ = ')
    (tmp_path / 'my_snn.py').write_text(
        f"_base_ = 'mmsnn::{BASE}'\n"
        "custom_imports = dict(imports=['mmsnn'], "
        'allow_failed_imports=False)\n' + rest)

    def tool(name, *args):
        result = subprocess.run(
            [sys.executable, osp.join(REPO_ROOT, 'tools', name),
             *map(str, args)], capture_output=True, text=True,
            cwd=str(tmp_path), env=_clean_env())
        assert result.returncode == 0, result.stderr[-4000:]
        return result.stdout + result.stderr

    out = tool('train.py', 'my_snn.py')
    work_dir = tmp_path / 'work_dirs' / 'my_snn'
    assert 'Epoch(train) [1][1/1]' in out
    assert (work_dir / 'epoch_1.pth').is_file()
    out = tool('test.py', 'my_snn.py', work_dir / 'epoch_1.pth')
    assert 'pascal_voc/mAP:' in out


def _copy_tracked_files(dst):
    """The checkout's tracked files (no tests or docs) copied to ``dst``, so
    that building there leaves the checkout's own mmsnn/.mim (links for
    the editable install) and build/ as they are."""
    files = subprocess.run(['git', 'ls-files'], cwd=REPO_ROOT,
                           capture_output=True, text=True,
                           check=True).stdout.split('\n')
    for name in files:
        if name and osp.isfile(osp.join(REPO_ROOT, name)) and not \
                name.startswith(('tests/', 'docs/')):
            os.makedirs(osp.dirname(dst / name), exist_ok=True)
            shutil.copyfile(osp.join(REPO_ROOT, name), dst / name)
    return [name for name in files if name]


def _setup_py(src, *args):
    result = subprocess.run([sys.executable, 'setup.py', '-q', *args],
                            cwd=str(src), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def _check_wheel(dist, files):
    """The one wheel in ``dist`` carries every config, the tools and the
    model index in mmsnn/.mim, and no package but mmsnn."""
    (wheel, ) = os.listdir(dist)
    names = set(zipfile.ZipFile(dist / wheel).namelist())
    for config in files:
        if config.startswith('configs/') and config.endswith('.py'):
            assert f'mmsnn/.mim/{config}' in names
    for path in ('mmsnn/.mim/model-index.yml', 'mmsnn/.mim/tools/train.py',
                 'mmsnn/.mim/tools/dist_train.sh', 'mmsnn/__init__.py',
                 'mmsnn/.mim/tools/misc/mini_voc_manifest.sha256',
                 'mmsnn/.mim/configs/snn_yolov3/metafile.yml'):
        assert path in names
    # Only mmsnn's packages: no top-level tests/tools/configs packages.
    assert {n.split('/')[0] for n in names} == {
        'mmsnn', wheel.split('-')[0] + '-' + wheel.split('-')[1] +
        '.dist-info'}
    return names


@pytest.mark.skipif(shutil.which('git') is None, reason='needs git')
def test_wheel_carries_configs_and_tools_in_mim(tmp_path):
    """`pip install .` installs what `setup.py bdist_wheel` packs."""
    src = tmp_path / 'src'
    files = _copy_tracked_files(src)
    # What an earlier build of another version left in build/lib (a module
    # since deleted, a package an older setup.py listed) must not ship.
    stale = ('mmsnn/analysis/benchmark.py', 'tests/__init__.py',
             'mmsnn/.mim/tools/analysis_tools/gpu_check.sh')
    for name in stale:
        os.makedirs(osp.dirname(src / 'build' / 'lib' / name), exist_ok=True)
        (src / 'build' / 'lib' / name).write_text('# stale\n')
    _setup_py(src, 'bdist_wheel', '-d', str(tmp_path / 'dist'))
    names = _check_wheel(tmp_path / 'dist', files)
    assert not names & set(stale)
    # The build wrote its copies into build/, not into the source tree,
    # where they would stand in for an editable install's links.
    assert not (src / 'mmsnn' / '.mim').exists()


@pytest.mark.skipif(shutil.which('git') is None, reason='needs git')
def test_wheel_built_from_the_sdist_carries_configs(tmp_path):
    """pip builds a wheel from an sdist (PyPI, `pip install mmsnn.tar.gz`):
    the sdist must hold what the wheel's mmsnn/.mim is made of."""
    src = tmp_path / 'src'
    files = _copy_tracked_files(src)
    _setup_py(src, 'sdist', '-d', str(tmp_path / 'sdist'))
    (sdist, ) = os.listdir(tmp_path / 'sdist')
    with tarfile.open(tmp_path / 'sdist' / sdist) as tar:
        tar.extractall(tmp_path / 'unpacked', filter='data')
    (unpacked, ) = (tmp_path / 'unpacked').iterdir()
    _setup_py(unpacked, 'bdist_wheel', '-d', str(tmp_path / 'dist'))
    _check_wheel(tmp_path / 'dist', files)


def test_mmsnn_scope_builds_from_mmdet_registries():
    """Dicts of an ``mmsnn::`` base carry ``_scope_='mmsnn'``: that scope
    must reach mmdet's components and mmsnn's (registered in mmdet's)."""
    from mmengine.config.utils import MODULE2PACKAGE
    from mmengine.registry import DATASETS, HOOKS, MODELS, init_default_scope

    import mmsnn.registry
    assert MODULE2PACKAGE['mmsnn'] == 'mmsnn'
    init_default_scope('mmdet')
    for registry, name in ((DATASETS, 'VOCDataset'), (MODELS, 'SNNYOLOV3'),
                           (MODELS, 'YOLOV3'), (HOOKS, 'RandomStateHook')):
        with registry.switch_scope_and_registry('mmsnn') as scoped:
            assert scoped.scope == 'mmsnn'
            assert scoped.parent.scope == 'mmdet'
            assert scoped.get(name) is not None, (registry.name, name)
    assert mmsnn.registry.MODELS.get('SNNYOLOV3') is MODELS.get(
        'mmdet.SNNYOLOV3')
