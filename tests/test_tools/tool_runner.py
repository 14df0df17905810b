"""Run a tool as a user does: a subprocess from outside the repository."""
import os.path as osp
import subprocess
import sys

from tests.tiny_voc import REPO_ROOT


def run_tool(name, *args, cwd):
    return subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', name), *map(str, args)],
        capture_output=True, text=True, cwd=str(cwd))


def assert_one_paragraph_error(result, *culprits):
    """Exit code 2, the culprits named, no traceback."""
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'mmsnn error:' in result.stderr
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    for culprit in culprits:
        assert culprit in result.stderr, (culprit, result.stderr[-3000:])
