"""Runs in parallel child processes ("lanes"), each with its share of the
CPU's threads."""
import os
import os.path as osp
import subprocess
import time
from typing import Callable, List, Sequence


def run_in_lanes(command: Sequence[str], tasks: List[str], jobs: int,
                 work_dir: str, log: Callable[[str], None]) -> None:
    """Run ``command --task TASK`` for every task, ``jobs`` at a time,
    each process with ``cpu_count() // jobs`` threads and its output in
    ``WORK_DIR/logs/TASK.log``.

    On a 2-core CPU two 1-thread lanes train faster in all than one
    2-thread run. Stopped (Ctrl-C), the running lanes are terminated rather
    than left training, orphaned; the results of finished ones stay.

    Args:
        command (Sequence[str]): The command of one run without its
            ``--task`` (e.g. ``[python, script, *argv]``).
        tasks (list[str]): The tasks, in the order to start them (longest
            first).
        jobs (int): Lanes.
        work_dir (str): The comparison's work dir.
        log (Callable[[str], None]): Progress messages.

    Raises:
        RuntimeError: Naming the tasks that failed and their logs.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    env.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # no spinning beside a lane
    log_dir = osp.join(work_dir, 'logs')
    os.makedirs(log_dir, exist_ok=True)
    pending, running, failed = list(tasks), {}, []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                task = pending.pop(0)
                log_file = open(osp.join(log_dir, f'{task}.log'), 'w')
                running[task] = (subprocess.Popen(
                    [*command, '--task', task], stdout=log_file,
                    stderr=subprocess.STDOUT, env=env), log_file)
                log(f'started {task} ({threads} thread(s); log '
                    f'{log_file.name})')
            time.sleep(1.)
            for task, (proc, log_file) in list(running.items()):
                if proc.poll() is None:
                    continue
                log_file.close()
                del running[task]
                if proc.returncode:
                    failed.append(task)
                    log(f'{task} FAILED (exit {proc.returncode}): see '
                        f'{log_file.name}')
                else:
                    log(f'finished {task}')
    finally:
        # stopped (Ctrl-C): no lane trains on, orphaned; finished runs stay
        # stored for the next invocation
        for proc, log_file in running.values():
            proc.terminate()
            proc.wait()
            log_file.close()
    if failed:
        raise RuntimeError(
            f'{len(failed)} run(s) failed: {failed}; their logs are in '
            f'{log_dir}. Runs that finished are stored in '
            f'{osp.join(work_dir, "runs")} and are reused by the next '
            'invocation with the same arguments.')
