from .if_neuron import IFNeuron
from .time_folding import (DECODE_MODES, TimeStepsMixin, decode_over_time,
                           fold_time, repeat_over_time, reset_neurons,
                           set_step_mode, set_time_steps, spiking_modules,
                           unfold_time)

__all__ = [
    'IFNeuron', 'DECODE_MODES', 'TimeStepsMixin', 'decode_over_time',
    'fold_time', 'repeat_over_time', 'reset_neurons', 'set_step_mode',
    'set_time_steps', 'spiking_modules', 'unfold_time'
]
