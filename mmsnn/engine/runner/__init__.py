from .loops import SafeEpochBasedTrainLoop, SafeIterBasedTrainLoop

__all__ = ['SafeEpochBasedTrainLoop', 'SafeIterBasedTrainLoop']
