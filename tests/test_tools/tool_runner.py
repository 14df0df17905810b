"""Run a tool as a user does: its own process, from outside the repository.

Each run is a process of its own, with its own working directory,
environment, ``sys.argv``, ``__name__ == '__main__'``, exit status and
captured stdout / stderr, like ``python tools/NAME ...``. It is forked
from a server process that imported torch, mmengine, mmdet and mmsnn once
(multiprocessing's forkserver: that process has run no thread pool, so
forking it is safe), so a tool starts in a fraction of a second instead of
the ~9 s a new interpreter spends importing them on a 2-core machine (the
suite starts about 20 tools). What only a new interpreter shows (a tool's own
``sys.path`` set-up, importing mmsnn from outside the checkout) is tested
with real interpreters in tests/test_packaging/test_install.py.
"""
import atexit
import multiprocessing
import os
import os.path as osp
import runpy
import shlex
import shutil
import sys
import tempfile
import traceback
from subprocess import CompletedProcess

from tests.tiny_voc import REPO_ROOT

#: What the server imports before it forks the tools (tests.conftest: the
#: suite's settings, e.g. unformatted config texts).
PRELOAD = ['tests.conftest', 'tests.test_tools.tool_runner',
           'mmengine.runner', 'mmdet.apis', 'mmsnn']

#: Longest a tool may run, in seconds (the suite's own timeout is 600 s).
TOOL_TIMEOUT = 500

_context = None


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context('forkserver')
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _run_as_main(script, args, cwd, env, out_path, err_path, own_group):
    """In the forked process: run ``script`` as ``python script *args``
    (in a process group of its own if ``own_group``)."""
    if own_group:
        os.setpgid(0, 0)
    for fd, path in ((1, out_path), (2, err_path)):
        opened = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdout = open(1, 'w', encoding='utf-8', closefd=False)
    sys.stderr = open(2, 'w', encoding='utf-8', closefd=False,
                      buffering=1)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    if env.get('OMP_NUM_THREADS'):  # read by a new interpreter at start
        import torch
        torch.set_num_threads(int(env['OMP_NUM_THREADS']))
    sys.argv = [script, *args]
    sys.path.insert(0, osp.dirname(script))  # as python does for a script
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit:
        raise  # multiprocessing turns its code into the exit status
    except BaseException:
        traceback.print_exc()  # what python prints for an uncaught error
        raise SystemExit(1)
    finally:
        atexit._run_exitfuncs()  # as at an interpreter's exit


def run_tool(name, *args, cwd, signal_on=None, signal_group=False):
    """Run ``tools/<name>`` with ``args`` in ``cwd``: :func:`run_script`."""
    return run_script(osp.join(REPO_ROOT, 'tools', name), *args, cwd=cwd,
                      signal_on=signal_on, signal_group=signal_group)


def _signal_when_written(process, paths, text, signum, group):
    """Send ``signum`` to ``process`` (or its process group) once one of
    ``paths`` holds ``text`` (as a user would at the sight of a log line);
    return at its exit."""
    while process.exitcode is None:
        if any(text in open(path, encoding='utf-8', errors='replace').read()
               for path in paths):
            (os.killpg if group else os.kill)(process.pid, signum)
            return
        process.join(0.05)


def run_script(script, *args, cwd, signal_on=None, signal_group=False):
    """Run the Python file ``script`` with ``args`` (made str) in ``cwd``,
    with this process's environment, as ``python script *args`` would.

    Args:
        signal_on (tuple[str, int], optional): ``(text, signum)``: send the
            signal to the tool once its stdout or stderr shows ``text``.
        signal_group (bool): Run the tool in a process group of its own
            and send that signal to the group (the tool and its
            children, e.g. DataLoader workers), as a terminal's Ctrl-C,
            torchrun or SLURM do.

    Returns:
        subprocess.CompletedProcess: ``returncode``, and ``stdout`` and
        ``stderr`` as text.
    """
    script, args = str(script), [str(a) for a in args]
    with tempfile.TemporaryDirectory() as tmp:
        out, err = osp.join(tmp, 'stdout'), osp.join(tmp, 'stderr')
        for path in (out, err):
            open(path, 'w').close()
        process = _forkserver().Process(
            target=_run_as_main,
            args=(script, args, str(cwd), dict(os.environ), out, err,
                  signal_group))
        process.start()
        if signal_on is not None:
            _signal_when_written(process, (out, err), *signal_on,
                                 signal_group)
        process.join(TOOL_TIMEOUT)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise TimeoutError(f'{script} {args} ran over {TOOL_TIMEOUT} s')
        with open(out, encoding='utf-8', errors='replace') as f:
            stdout = f.read()
        with open(err, encoding='utf-8', errors='replace') as f:
            stderr = f.read()
    return CompletedProcess([sys.executable, script, *args],
                            process.exitcode, stdout, stderr)


def assert_one_paragraph_error(result, *culprits):
    """Exit code 2, the culprits named, no traceback."""
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'mmsnn error:' in result.stderr
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    for culprit in culprits:
        assert culprit in result.stderr, (culprit, result.stderr[-3000:])


def printed_commands(text):
    """The commands a tool's message prints for the user to paste: its
    lines indented by four spaces that run a Python file."""
    return [line.strip() for line in text.splitlines()
            if line.startswith('    ') and '.py' in line]


def run_printed(line, cwd):
    """Run a command line a tool printed, as pasting it into a shell in
    ``cwd`` would: its interpreter must be this one (``python`` on the
    PATH, or its path), then the script runs with :func:`run_script` and
    the printed arguments, parsed as the shell parses them."""
    words = shlex.split(line)
    interpreter = shutil.which(words[0]) if words[0] == 'python' \
        else words[0]
    assert interpreter and osp.realpath(interpreter) == osp.realpath(
        sys.executable), line
    return run_script(words[1], *words[2:], cwd=cwd)
