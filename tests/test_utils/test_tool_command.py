"""mmsnn.utils.tool_command: the command that runs a tool again, edited,
as a shell line to paste."""
import shlex
import sys

from mmsnn.utils.tool_command import (drop_options, format_command,
                                      python_command, tool_command)


def test_drop_options_with_values_optional_values_and_flags():
    args = ['cfg.py', '--resume', '--work-dir', 'w', '--reset-lr',
            '--cfg-options', 'a=1', '--resume=x.pth', '--resume', 'y.pth']
    options = {'--resume': None, '--reset-lr': False, '--work-dir': True}
    assert drop_options(args, options) == ['cfg.py', '--cfg-options', 'a=1']
    assert drop_options(['c', '--resume'], options) == ['c']


def test_a_direct_run_and_a_torchrun_rank_are_run_again_as_started():
    python = python_command()
    assert python in ('python', sys.executable)
    argv = ['tools/train.py', 'c.py', '--work-dir', 'w d']
    assert tool_command(argv, {}) == [python, *argv]
    rank = tool_command(argv + ['--launcher', 'pytorch', '--local-rank=1'],
                        dict(WORLD_SIZE='4', LOCAL_WORLD_SIZE='2',
                             MASTER_PORT='29600'))
    prefix = ['PORT=29600'] + ([] if python == 'python' else
                               [f'PYTHON={python}'])
    assert rank == prefix + ['bash', 'tools/dist_train.sh', 'c.py', '2',
                             '--work-dir', 'w d']


def test_format_command_quotes_what_the_shell_would_split():
    line = format_command(['PORT=1', 'python', 'a b.py',
                           'x=dict(max_norm=10)'])
    assert line == "PORT=1 python 'a b.py' 'x=dict(max_norm=10)'"
    assert shlex.split(line)[1:] == ['python', 'a b.py',
                                     'x=dict(max_norm=10)']
