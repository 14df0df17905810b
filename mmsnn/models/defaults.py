"""Defaults shared by every spiking component, kept in one place.

Components read these when a config does not say otherwise; a detector
overrides ``time_steps`` of all its parts at once (see
:func:`mmsnn.models.time.set_time_steps`).
"""

#: Time steps T of the paper's faster model (it also reports T=6).
DEFAULT_TIME_STEPS = 4

#: The paper's neuron: IF with reset by subtraction, Vth = 1, ATan(alpha=2).
DEFAULT_NEURON_CFG = dict(
    type='IFNeuron', v_threshold=1.0, reset_mode='soft', surrogate_alpha=2.0)


def neuron_config(neuron_cfg=None) -> dict:
    """The neuron config a spiking part builds: ``neuron_cfg`` over the
    default.

    A partial config, such as the ``dict(reset_mode='hard')`` that
    ``--cfg-options model.backbone.neuron_cfg.reset_mode=hard`` makes when
    the config file states no ``neuron_cfg``, is merged over
    :data:`DEFAULT_NEURON_CFG`; so is a config of the default's type. A
    config of another type is used as it is (its arguments differ).

    Args:
        neuron_cfg (dict, optional): What the config says; None gives the
            default.

    Returns:
        dict: A config with a ``type``, a new dict.
    """
    if neuron_cfg is None:
        return dict(DEFAULT_NEURON_CFG)
    neuron_cfg = dict(neuron_cfg)
    if neuron_cfg.get('type', DEFAULT_NEURON_CFG['type']) == \
            DEFAULT_NEURON_CFG['type']:
        return {**DEFAULT_NEURON_CFG, **neuron_cfg}
    return neuron_cfg
