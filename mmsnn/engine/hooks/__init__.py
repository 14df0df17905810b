from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .firing_rate_hook import FiringRateHook
from .random_state_hook import RandomStateHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'FiringRateHook', 'FiniteLossHook', 'NonFiniteLossError',
    'RandomStateHook', 'SafeCheckpointHook'
]
