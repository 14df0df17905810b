"""The generated pages (docs/model_zoo.md, docs/reproducibility.md, the
family READMEs' tables, the README's results and commands) are what
.dev_scripts/gen_docs.py writes from the results files today."""
import shutil
import subprocess
import sys

from tests.conftest import repo_path

GEN_DOCS = repo_path('.dev_scripts', 'gen_docs.py')


def _check(root):
    return subprocess.run(
        [sys.executable, f'{root}/.dev_scripts/gen_docs.py', '--check'],
        capture_output=True, text=True)


def test_generated_pages_are_up_to_date():
    result = _check(repo_path())
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_changed_results_file_makes_its_pages_stale(tmp_path):
    """In a copy of what gen_docs reads: a new number in the main job's
    results leaves the README, the model zoo and the reproducibility page
    stale until they are written again."""
    for name in ('README.md', 'model-index.yml'):
        shutil.copyfile(repo_path(name), tmp_path / name)
    for name in ('docs', 'configs', '.dev_scripts', 'mmsnn'):
        shutil.copytree(repo_path(name), tmp_path / name,
                        ignore=shutil.ignore_patterns('__pycache__', '.mim'))
    results = tmp_path / 'configs' / 'mini_voc' / 'results.json'
    results.write_text(results.read_text().replace('"snn_uj": 32.6',
                                                   '"snn_uj": 31.6'))
    result = _check(tmp_path)
    assert result.returncode == 1
    assert set(result.stdout.split()) >= {'README.md:', 'docs/model_zoo.md:'}
    subprocess.run([sys.executable, f'{tmp_path}/.dev_scripts/gen_docs.py'],
                   check=True, capture_output=True)
    assert _check(tmp_path).returncode == 0
    assert '31.6 uJ' in (tmp_path / 'README.md').read_text()
