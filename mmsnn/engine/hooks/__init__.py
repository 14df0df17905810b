from .firing_rate_hook import FiringRateHook

__all__ = ['FiringRateHook']
