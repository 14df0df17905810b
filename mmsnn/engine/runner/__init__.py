from .eval_loops import SafeTestLoop, SafeValLoop
from .loops import SafeEpochBasedTrainLoop, SafeIterBasedTrainLoop

__all__ = [
    'SafeEpochBasedTrainLoop', 'SafeIterBasedTrainLoop', 'SafeTestLoop',
    'SafeValLoop'
]
