"""The rendezvous port of a torchrun launch, checked before torchrun uses
it.

torchrun's first node listens on ``--master_port`` (29500 unless
``PORT=`` says otherwise in tools/dist_train.sh); when another run, or any
program, already listens there, torchrun fails with a 39-line traceback
ending in ``DistNetworkError: ... EADDRINUSE``. :func:`busy_port_error`
says it in one paragraph, with the command that picks a free port.
"""
import argparse
import errno
import os.path as osp
import socket
from typing import List, Optional, Sequence

from ..utils.tool_command import format_command, python_command

#: torchrun's default rendezvous port.
DEFAULT_PORT = 29500

#: The launcher script of each tool tools/dist_launch.sh runs, and how many
#: of the tool's own arguments come before NUM_PROCS in its command line.
_LAUNCHERS = {'train.py': ('dist_train.sh', 1), 'test.py': ('dist_test.sh', 2)}


def port_in_use(port: int) -> bool:
    """Whether a listening socket on ``port`` (any address) would fail
    with ``EADDRINUSE``, as torchrun's would."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(('', port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def free_port() -> int:
    """A port nothing listens on now (the system's choice)."""
    with socket.socket() as sock:
        sock.bind(('', 0))
        return sock.getsockname()[1]


def _launch_command(args: argparse.Namespace, rest: List[str],
                    port: int) -> Optional[List[str]]:
    """The tools/dist_*.sh command of this launch on ``port``; None where
    it cannot be told (several machines, another script)."""
    # torchrun's own options (--master_addr=...) come before the script
    start = next((i for i, a in enumerate(rest) if not a.startswith('-')),
                 None)
    if start is None or args.nnodes not in (None, '1'):
        return None
    script, tool_args = rest[start], rest[start + 1:]
    launcher = _LAUNCHERS.get(osp.basename(script))
    if launcher is None or len(tool_args) < launcher[1]:
        return None
    name, before = launcher
    if tool_args[-2:] == ['--launcher', 'pytorch']:  # added by dist_launch
        tool_args = tool_args[:-2]
    command = [f'PORT={port}']
    if python_command() != 'python':
        command.append(f'PYTHON={python_command()}')
    return command + [
        'bash', osp.join(osp.dirname(script), name), *tool_args[:before],
        str(args.nproc_per_node), *tool_args[before:]
    ]


def busy_port_error(argv: Sequence[str]) -> Optional[str]:
    """The message for a torchrun command line whose rendezvous port is in
    use on this machine (the first node's), else None.

    Args:
        argv (Sequence[str]): torchrun's arguments, as tools/dist_launch.sh
            passes them (``--master_port=P``, ``--node_rank=R``, ... then
            the script and its arguments).

    Returns:
        str or None: One paragraph naming the port and the command that
        runs the same launch on a free one.
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name, default in (('master_port', DEFAULT_PORT), ('node_rank', 0),
                          ('nnodes', None), ('nproc_per_node', 1)):
        parser.add_argument(f'--{name}', f'--{name.replace("_", "-")}',
                            default=default)
    args, rest = parser.parse_known_args(list(argv))
    try:
        port, node_rank = int(args.master_port), int(args.node_rank)
    except ValueError:
        return None  # torchrun says what is wrong with them
    if node_rank != 0 or not port_in_use(port):
        return None
    other = free_port()
    command = _launch_command(args, rest, other)
    how = (f'; this runs the same on port {other}, free now:\n    ' +
           format_command(command) if command else
           f', e.g. PORT={other} (free now)')
    return (f'port {port} is in use on this machine: another distributed '
            'run, or another program, listens on it, and torchrun needs it '
            'for the rendezvous of the processes. Choose another port with '
            'PORT= before the command (it sets torchrun\'s --master_port; '
            f'every machine of a run needs the same one){how}')
