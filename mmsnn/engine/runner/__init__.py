from .loops import SafeEpochBasedTrainLoop

__all__ = ['SafeEpochBasedTrainLoop']
