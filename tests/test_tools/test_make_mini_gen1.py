"""tools/misc/make_mini_gen1.py: its command line (the generator itself:
tests/test_datasets/test_synthetic/test_mini_gen1.py), and a tiny mini-Gen1
config for the tests of the tools that read event data."""
import subprocess
import sys

from mmsnn.datasets.synthetic import make_mini_gen1
from tests.conftest import repo_path


def tiny_gen1_config(tmp_path,
                     base='configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'):
    """A tiny mini-Gen1 in ``tmp_path/data`` and ``tmp_path/cfg.py``, a
    config of ``base`` whose test split reads it; returns the config path."""
    root = tmp_path / 'data'
    make_mini_gen1(str(root), 'tiny')
    config = tmp_path / 'cfg.py'
    config.write_text(
        f"_base_ = '{repo_path(base)}'\n"
        f"test_dataloader = dict(dataset=dict(data_root='{root}/'))\n")
    return config


def test_writes_then_leaves_current_data_alone(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, repo_path('tools/misc/make_mini_gen1.py'),
             '--out', str(tmp_path), '--size', 'tiny', *args],
            capture_output=True, text=True, check=True).stdout

    assert 'wrote mini-Gen1 (tiny, ' in run('--if-outdated')
    names = sorted(p.name for p in (tmp_path / 'test').iterdir())
    assert names == ['mini_gen1_test_0_bbox.npy', 'mini_gen1_test_0_td.dat']
    mtime = (tmp_path / 'mini_gen1.json').stat().st_mtime_ns
    assert 'is current (mini-Gen1 v' in run('--if-outdated')
    assert (tmp_path / 'mini_gen1.json').stat().st_mtime_ns == mtime
    assert 'wrote mini-Gen1' in run('--seed', '1', '--if-outdated')
