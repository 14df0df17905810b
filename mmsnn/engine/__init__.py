"""Training and evaluation helpers: hooks, safe and atomic checkpoints,
loops that stop on Ctrl-C / SIGTERM (training with a checkpoint), a lock
that keeps a second training out of a work dir in use.

Importing this registers hooks, loops and a file backend under mmsnn's own
names and changes nothing else; they act where a config names them
(:func:`add_reliability_hooks` adds them all), and
:func:`safe_checkpoint_loading` allows the globals of older runner
checkpoints for a block of code.
"""
from .atomic_local_backend import ATOMIC_BACKEND, AtomicLocalBackend
from .checkpoint import (DamagedCheckpointError, UnsafeCheckpointError,
                         check_checkpoint_file, check_load_from,
                         check_load_from_shapes, check_resume,
                         check_test_checkpoint, check_tool_checkpoint,
                         checkpoint_globals, find_resume_checkpoint,
                         load_checkpoint_safely, safe_checkpoint_loading)
from .default_hooks import add_reliability_hooks, use_safe_eval_loops
from .dist import closing_process_group, setup_distributed
from .event_inference import detect_in_recordings
from .hooks import *  # noqa: F401,F403
from .runner import (SafeEpochBasedTrainLoop, SafeIterBasedTrainLoop,
                     SafeTestLoop, SafeValLoop)
from .stop_signals import (EvaluationInterrupted, StopSignals,
                           TrainingInterrupted, report_stop_signals)
from .work_dir_lock import WorkDirInUseError, WorkDirLock

__all__ = [
    'ATOMIC_BACKEND', 'AtomicLocalBackend', 'check_checkpoint_file',
    'check_load_from', 'check_load_from_shapes', 'check_resume',
    'check_test_checkpoint', 'check_tool_checkpoint',
    'find_resume_checkpoint', 'add_reliability_hooks', 'use_safe_eval_loops',
    'setup_distributed', 'closing_process_group', 'detect_in_recordings',
    'DamagedCheckpointError', 'UnsafeCheckpointError', 'checkpoint_globals',
    'load_checkpoint_safely', 'safe_checkpoint_loading',
    'SafeEpochBasedTrainLoop', 'SafeIterBasedTrainLoop', 'SafeValLoop',
    'SafeTestLoop', 'StopSignals', 'TrainingInterrupted',
    'EvaluationInterrupted', 'report_stop_signals', 'WorkDirLock',
    'WorkDirInUseError'
]
