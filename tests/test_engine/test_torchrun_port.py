"""A busy rendezvous port is found before torchrun starts, and the message
gives the launch command on a free port."""
import shlex
import socket

from mmsnn.engine.torchrun_port import (busy_port_error, free_port,
                                        port_in_use)


def test_busy_port_names_it_and_the_command_on_a_free_one():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert port_in_use(port)
        argv = ['--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1',
                '--nproc_per_node=2', f'--master_port={port}',
                'tools/train.py', 'c.py', '--work-dir', 'w', '--launcher',
                'pytorch']
        message = busy_port_error(argv)
        assert message.startswith(f'port {port} is in use on this machine')
        command = shlex.split(message.split('\n    ')[1])
        free = int(command[0].split('=')[1])
        assert command[0] == f'PORT={free}' and free != port
        assert command[-6:] == ['bash', 'tools/dist_train.sh', 'c.py', '2',
                                '--work-dir', 'w']
        # Other machines connect to the port: only the first checks it.
        assert busy_port_error([a.replace('--node_rank=0', '--node_rank=1')
                                for a in argv]) is None
        test = busy_port_error(argv[:5] + ['tools/test.py', 'c.py', 'x.pth',
                                           '--launcher', 'pytorch'])
        assert test.split('\n    ')[1].endswith(
            'tools/dist_test.sh c.py x.pth 2')
    assert not port_in_use(port)
    assert busy_port_error([f'--master_port={free_port()}', 'x.py']) is None
