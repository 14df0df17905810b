"""Defaults shared by every spiking component, kept in one place.

Components read these when a config does not say otherwise; a detector
overrides ``time_steps`` of all its parts at once (see
:func:`mmsnn.models.layers.set_time_steps`).
"""

#: Time steps T of the paper's faster model (it also reports T=6).
DEFAULT_TIME_STEPS = 4

#: The paper's neuron: IF with reset by subtraction, Vth = 1, ATan(alpha=2).
DEFAULT_NEURON_CFG = dict(
    type='IFNeuron', v_threshold=1.0, reset_mode='soft', surrogate_alpha=2.0)
