"""Modules that make stock parts spiking (``Spikify``, the time adapters,
``TimeSequential``).

Also re-exports, from their own modules, the time helpers
(:mod:`mmsnn.models.time`) and neuron helpers (:mod:`mmsnn.models.neurons`)
that users reach here.
"""
from ..neurons.if_neuron import IFNeuron
from ..neurons.neuron_utils import (reset_neurons, set_step_mode,
                                    spiking_modules)
from ..time.config import apply_time_steps_option, set_config_time_steps
from ..time.folding import (DECODE_MODES, decode_over_time, fold_time,
                            repeat_over_time, unfold_time)
from ..time.owner import (TimeStepsMixin, owner_builds_parts, set_time_steps,
                          time_steps_of)
from .ems_conv import EMSConv
from .membrane_silu import MembraneSiLU
from .ms_blocks import (EMS_LAYERS, MembraneBlock, MSBasicBlock,
                        MSConcatBlock, build_ems_layer)
from .spikify import replace_activations, spikify
from .time_adapters import TimeDecode, TimeRepeat
from .time_sequential import TimeSequential

__all__ = [
    'IFNeuron', 'DECODE_MODES', 'TimeStepsMixin', 'decode_over_time',
    'fold_time', 'repeat_over_time', 'reset_neurons', 'set_step_mode',
    'set_time_steps', 'spiking_modules', 'unfold_time', 'replace_activations',
    'spikify', 'TimeDecode', 'TimeRepeat', 'TimeSequential',
    'owner_builds_parts', 'set_config_time_steps', 'time_steps_of',
    'apply_time_steps_option', 'EMSConv', 'MembraneSiLU', 'EMS_LAYERS',
    'MembraneBlock', 'MSBasicBlock', 'MSConcatBlock', 'build_ems_layer'
]
