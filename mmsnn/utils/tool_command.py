"""The command line that runs a tool again, edited, for a message to print.

A message that tells the user how to go on (a stop on a non-finite loss,
say) prints whole commands to paste: the command the run was started with,
its options kept, with some options dropped and others appended.
``argparse`` lets a later ``--resume X`` replace an earlier one, and
``--cfg-options`` given twice adds up (``CfgOptionsAction``, later keys
win), so appending is enough for everything but an option to drop.
"""
import os
import os.path as osp
import shlex
import shutil
import sys
from typing import Dict, List, Optional, Sequence

#: Options of a distributed launch that the launcher script adds itself.
_LAUNCH_OPTIONS = {'--launcher': True, '--local-rank': True,
                   '--local_rank': True}


def python_command() -> str:
    """``python`` where that name runs this interpreter, else its path."""
    found = shutil.which('python')
    if found and osp.realpath(found) == osp.realpath(sys.executable):
        return 'python'
    return sys.executable


def drop_options(args: Sequence[str],
                 options: Dict[str, Optional[bool]]) -> List[str]:
    """``args`` without ``options`` and their values.

    Args:
        args (Sequence[str]): Command-line arguments.
        options (dict[str, bool | None]): Option name -> True if it takes
            one value, None if it may take one (argparse ``nargs='?'``:
            the next argument unless it starts with ``-``), False for a
            flag. ``--name=value`` forms are dropped too.

    Returns:
        list[str]: The remaining arguments, in their order.
    """
    kept, skip = [], False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        name = arg.split('=', 1)[0]
        if name not in options:
            kept.append(arg)
        elif '=' not in arg and options[name] is not False:
            following = args[i + 1] if i + 1 < len(args) else None
            skip = options[name] is True or (
                following is not None and not following.startswith('-'))
    return kept


def tool_command(argv: Sequence[str],
                 environ: Optional[Dict[str, str]] = None) -> List[str]:
    """The command that runs a tool again as it was started.

    ``[python, script, *args]`` for a tool started directly; for a rank of
    ``tools/dist_train.sh`` (torchrun's ``WORLD_SIZE`` set and
    ``--launcher pytorch`` among the arguments),
    ``bash <tools>/dist_train.sh CONFIG NUM_PROCS *args`` with the
    launcher's own options left out (a port other than the default, and
    an interpreter that is not ``python``, as ``PORT=`` and ``PYTHON=``
    prefixes, see :func:`format_command`).

    Args:
        argv (Sequence[str]): The tool's ``sys.argv`` (script first, the
            config second).
        environ (dict, optional): The environment; ``os.environ`` if None.

    Returns:
        list[str]: The command, one argument an item.
    """
    environ = os.environ if environ is None else environ
    script, args = argv[0], list(argv[1:])
    launched = 'pytorch' in args and 'WORLD_SIZE' in environ
    if not launched:
        return [python_command(), script, *args]
    args = drop_options(args, _LAUNCH_OPTIONS)
    procs = environ.get('LOCAL_WORLD_SIZE', environ['WORLD_SIZE'])
    command = ['bash', osp.join(osp.dirname(script), 'dist_train.sh'),
               args[0], procs, *args[1:]]
    if python_command() != 'python':
        command.insert(0, f'PYTHON={python_command()}')
    port = environ.get('MASTER_PORT')
    if port and port != '29500':
        command.insert(0, f'PORT={port}')
    return command


def format_command(command: Sequence[str]) -> str:
    """``command`` as a shell line to paste: each argument quoted where the
    shell needs it (a leading ``NAME=value`` item stays an assignment)."""
    words = list(command)
    prefix = []
    while words and '=' in words[0] and \
            words[0].split('=', 1)[0].isidentifier():
        prefix.append(words.pop(0))
    return ' '.join(prefix + [shlex.quote(w) for w in words])
