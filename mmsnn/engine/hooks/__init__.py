from .event_visualization_hook import EventVisualizationHook
from .finite_loss_hook import (FiniteLossHook, NonFiniteCheckpointError,
                               NonFiniteGradientError, NonFiniteLossError)
from .firing_rate_hook import FiringRateHook
from .random_state_hook import RandomStateHook
from .reset_lr_hook import ResetLrHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .time_steps_warmup_hook import TimeStepsWarmupHook
from .work_dir_lock_hook import WorkDirLockHook

__all__ = [
    'EventVisualizationHook', 'FiringRateHook', 'FiniteLossHook',
    'NonFiniteCheckpointError', 'NonFiniteGradientError',
    'NonFiniteLossError', 'RandomStateHook', 'ResetLrHook',
    'SafeCheckpointHook', 'TimeStepsWarmupHook', 'WorkDirLockHook'
]
