from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .firing_rate_hook import FiringRateHook

__all__ = ['FiringRateHook', 'FiniteLossHook', 'NonFiniteLossError']
