"""tools/misc/make_mini_voc.py: its command line as the main job runs it
(the generator itself: tests/test_datasets/test_synthetic)."""
import os
import os.path as osp
import subprocess
import sys

from mmsnn.datasets.synthetic import mini_voc as gen
from mmsnn.datasets.synthetic import read_manifest
from tests.conftest import repo_path

SCRIPT = repo_path('tools', 'misc', 'make_mini_voc.py')
MANIFEST = repo_path('tools', 'misc', 'mini_voc_manifest.sha256')
SUBSET_MANIFEST = repo_path('tests', 'test_datasets', 'test_synthetic',
                            'mini_voc_subset.sha256')
SUBSET = ['--num-trainval', '8', '--num-test', '4']


def test_if_outdated_skips_only_complete_current_data(tmp_path):
    """The main job reruns the generator with --if-outdated: data of this
    version and these arguments is kept, anything else is rewritten."""
    out = str(tmp_path)

    def run():
        return subprocess.run(
            [sys.executable, SCRIPT, '--out', out, '--num-trainval', '2',
             '--num-test', '1', '--max-objects', '2', '--if-outdated'],
            capture_output=True, text=True, check=True).stdout

    assert 'written to' in run()
    marker = osp.join(out, 'VOCdevkit', gen.YEAR_FOLDER, gen.MARKER)
    mtime = os.stat(marker).st_mtime_ns
    assert 'up to date' in run()
    assert os.stat(marker).st_mtime_ns == mtime
    # An older generator's data (or an interrupted run) is rewritten.
    with open(marker, 'w') as f:
        f.write('{"generator_version": 1}')
    assert 'written to' in run()
    assert gen.is_current(out, num_trainval=2, num_test=1, max_objects=2)


def test_this_machine_draws_the_pinned_bytes(tmp_path):
    """The script (numpy's AVX-512 off as it is only before numpy's import),
    drawing in 2 processes, writes the bytes of the shipped subset manifest
    (which one process writes too: test_verify_names_changed_...); its first
    trainval images are the full data set's, so those lines of the shipped
    full manifest are checked too."""
    result = subprocess.run(
        [sys.executable, SCRIPT, '--out', str(tmp_path), *SUBSET,
         '--workers', '2', '--verify', SUBSET_MANIFEST],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'byte for byte' in result.stdout
    full = read_manifest(MANIFEST)
    subset = read_manifest(SUBSET_MANIFEST)
    shared = [p for p in subset
              if p.startswith(('JPEGImages/', 'Annotations/'))
              and int(osp.basename(p)[:6]) < 8]
    assert len(shared) == 16
    assert {p: full[p] for p in shared} == {p: subset[p] for p in shared}
    # The full manifest covers the whole default data set.
    assert sum(p.startswith('JPEGImages/') for p in full) == \
        gen.NUM_TRAINVAL + gen.NUM_TEST


def test_verify_exits_1_naming_the_files_that_differ(tmp_path):
    gen.make_mini_voc(str(tmp_path), num_trainval=8, num_test=4)
    root = osp.join(str(tmp_path), 'VOCdevkit', gen.YEAR_FOLDER)
    os.remove(osp.join(root, 'Annotations', '000010.xml'))
    open(osp.join(root, 'JPEGImages', 'extra.jpg'), 'wb').close()
    result = subprocess.run(
        [sys.executable, SCRIPT, '--out', str(tmp_path), *SUBSET,
         '--if-outdated', '--verify', SUBSET_MANIFEST],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert '2 files' in result.stderr and '000010.xml' in result.stderr
    assert 'not comparable' in result.stderr
