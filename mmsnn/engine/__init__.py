"""Training and evaluation helpers: hooks, safe and atomic checkpoints, a
training loop that stops on Ctrl-C / SIGTERM with a checkpoint."""
from .atomic_local_backend import (AtomicLocalBackend,
                                   register_atomic_local_backend)
from .checkpoint_check import (check_checkpoint_file, check_load_from,
                               check_load_from_shapes, check_resume,
                               check_test_checkpoint, find_resume_checkpoint)
from .default_hooks import add_reliability_hooks
from .dist import setup_distributed
from .hooks import *  # noqa: F401,F403
from .runner import SafeEpochBasedTrainLoop, SafeIterBasedTrainLoop
from .safe_checkpoint import (DamagedCheckpointError, UnsafeCheckpointError,
                              checkpoint_globals,
                              register_safe_checkpoint_loading)
from .stop_signals import (StopSignals, TrainingInterrupted,
                           report_training_interrupted)

# On `import mmsnn`: safe loading and atomic checkpoint writes everywhere.
register_safe_checkpoint_loading()
register_atomic_local_backend()

__all__ = [
    'AtomicLocalBackend', 'register_atomic_local_backend',
    'check_checkpoint_file', 'check_load_from', 'check_load_from_shapes',
    'check_resume', 'check_test_checkpoint', 'find_resume_checkpoint',
    'add_reliability_hooks', 'setup_distributed',
    'DamagedCheckpointError', 'UnsafeCheckpointError', 'checkpoint_globals',
    'register_safe_checkpoint_loading', 'SafeEpochBasedTrainLoop',
    'SafeIterBasedTrainLoop',
    'StopSignals', 'TrainingInterrupted', 'report_training_interrupted'
]
