"""mmsnn.analysis.paper_comparisons.lanes: runs in child processes."""
import subprocess
import sys

import pytest

from mmsnn.analysis.paper_comparisons import lanes, run_in_lanes


def test_a_stopped_comparison_stops_its_lanes(tmp_path, monkeypatch):
    """Ctrl-C in the parent terminates the running child processes rather
    than leaving them training, orphaned."""
    started = []

    class Child:
        def __init__(self, cmd, env=None, **kwargs):
            self.cmd, self.env, self.stopped = cmd, env, False
            started.append(self)

        def poll(self):
            return None  # still training

        def terminate(self):
            self.stopped = True

        def wait(self):
            return -15

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, 'Popen', Child)
    monkeypatch.setattr(lanes.time, 'sleep', interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_in_lanes(['python', 'run.py', '--smoke'], ['a', 'b', 'c'], 2,
                     str(tmp_path), print)
    assert [c.cmd for c in started] == [
        ['python', 'run.py', '--smoke', '--task', 'a'],
        ['python', 'run.py', '--smoke', '--task', 'b']]  # two lanes
    assert all(c.stopped for c in started)
    assert started[0].env['OMP_NUM_THREADS'] == str(
        max(1, (lanes.os.cpu_count() or 1) // 2))


def test_failed_runs_are_named_with_their_logs(tmp_path):
    script = tmp_path / 'run.py'
    script.write_text('import sys\nprint("ran", sys.argv[-1])\n'
                      'sys.exit(sys.argv[-1] == "bad")\n')
    logged = []
    with pytest.raises(RuntimeError, match=r"1 run\(s\) failed: \['bad'\]"):
        run_in_lanes([sys.executable, str(script)], ['good', 'bad'], 2,
                     str(tmp_path), logged.append)
    assert (tmp_path / 'logs' / 'good.log').read_text() == 'ran good\n'
    assert 'finished good' in logged
    assert any(m.startswith('bad FAILED (exit 1)') for m in logged)
