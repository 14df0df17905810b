"""The tests' tool runner behaves as ``python script ...`` does: exit
status, captured output, working directory, argv, environment, uncaught
errors as tracebacks, and exit handlers."""
import os
import signal
import textwrap

from tests.test_tools.tool_runner import run_script


def _script(tmp_path, body):
    path = tmp_path / 'script.py'
    path.write_text(textwrap.dedent(body))
    return path


def test_exit_status_output_cwd_argv_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('MMSNN_RUNNER_PROBE', 'seen')
    script = _script(tmp_path, '''
        import atexit, os, sys
        atexit.register(lambda: print('exit handler ran'))
        print(__name__, os.getcwd(), sys.argv[1:], sys.path[0])
        print(os.environ.get('MMSNN_RUNNER_PROBE'))
        print('to stderr', file=sys.stderr)
        sys.exit(3)
        ''')
    cwd = tmp_path / 'elsewhere'
    cwd.mkdir()
    result = run_script(script, 'a', 1, cwd=cwd)
    assert result.returncode == 3
    assert result.stdout.splitlines() == [
        f"__main__ {cwd} ['a', '1'] {tmp_path}", 'seen', 'exit handler ran']
    assert result.stderr == 'to stderr\n'
    assert os.getcwd() != str(cwd)  # the caller's directory is its own


def test_uncaught_error_is_a_traceback_and_status_1(tmp_path):
    result = run_script(_script(tmp_path, '''
        print('before')
        raise ValueError('boom')
        '''), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == 'before\n'
    assert result.stderr.startswith('Traceback (most recent call last):')
    assert result.stderr.rstrip().endswith('ValueError: boom')


def test_normal_end_is_status_0_and_a_message_exit_is_1(tmp_path):
    assert run_script(_script(tmp_path, 'x = 1\n'), cwd=tmp_path) \
        .returncode == 0
    result = run_script(_script(tmp_path, '''
        import sys
        sys.exit('usage: no')
        '''), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, 'usage: no\n')


def test_signal_on_text_reaches_the_tool_with_python_handlers(tmp_path):
    """SIGINT is KeyboardInterrupt in the tool (as in a new interpreter,
    not ignored as in multiprocessing's server); SIGTERM kills by default."""
    script = _script(tmp_path, '''
        import sys, time
        print('ready', flush=True)
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print('interrupted')
            sys.exit(130)
        ''')
    result = run_script(script, cwd=tmp_path,
                        signal_on=('ready', signal.SIGINT))
    assert (result.returncode, result.stdout) == (130, 'ready\ninterrupted\n')
    result = run_script(script, cwd=tmp_path,
                        signal_on=('ready', signal.SIGTERM))
    assert result.returncode == -signal.SIGTERM  # as subprocess reports it
