"""torchrun for tools/dist_launch.sh, with a stop that ends as in one process.

``python tools/dist_run.py ARGS`` is ``python -m torch.distributed.run ARGS``
(torchrun), except when training stops on Ctrl-C or SIGTERM: then, instead
of torchrun's traceback, it exits with one line and the status a single
``tools/train.py`` gives, 128 + the signal (130, 143), so that job scripts
can requeue with ``--resume``:

- torchrun itself got the signal (a terminal's Ctrl-C, ``kill``, a
  scheduler): it has passed it on to every rank, which stop after their
  iteration with a checkpoint, and waited for them (at most
  ``TORCH_ELASTIC_SHUTDOWN_TIMEOUT`` seconds, 30 by default, then SIGKILL);
- the ranks stopped on their own after a signal: one exited with 130 or
  143 (having printed where the checkpoint is; no rank exits before rank 0
  has written it), and torchrun then stopped the others with SIGTERM
  (during their exit, which they no longer catch) if they had not exited
  the same way.

A rendezvous port already in use (``PORT``, 29500 by default) is one
paragraph with the command that uses a free one, exit status 2, instead of
torchrun's traceback. Any other failure keeps torchrun's report.
"""
import os.path as osp
import signal
import sys

from torch.distributed.elastic.multiprocessing.api import SignalException
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import main

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmsnn.engine.torchrun_port import busy_port_error  # noqa: E402
from mmsnn.engine.torchrun_stop import stop_status  # noqa: E402

if __name__ == '__main__':
    busy = busy_port_error(sys.argv[1:])
    if busy:
        print(f'\nmmsnn error: {busy}\n', file=sys.stderr, flush=True)
        sys.exit(2)
    try:
        main()
    except SignalException as e:
        print(f'\nmmsnn: torchrun got {signal.Signals(e.sigval).name} and '
              'passed it on to the training processes; their messages '
              'above say where they stopped.', file=sys.stderr, flush=True)
        sys.exit(128 + e.sigval)
    except ChildFailedError as e:
        status = stop_status(e.failures)
        if status is None:
            raise
        sys.exit(status)
