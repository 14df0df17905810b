"""T in a config: write one ``time_steps`` into every part that has one.

Stock mmdet detectors own no T (:mod:`.owner`), so each spiking part of
such a model carries its own ``time_steps``. The tools'
``--cfg-options time_steps=6`` writes the value into every ``time_steps``
field of the model config (:func:`apply_time_steps_option`).
"""
from typing import Any, Optional

from ...utils.config_tree import iter_sub_configs
from ...utils.input_error import ConfigValueError
from .folding import check_time_steps


def set_config_time_steps(cfg: Any, time_steps: int) -> int:
    """Write ``time_steps`` into every ``time_steps`` field of a (model)
    config, nested dicts and lists included.

    For stock detectors whose spiking parts each carry T: mmengine resolves
    a config's top-level ``time_steps`` when it reads the file, so changing
    it later reaches nothing; this does.

    Args:
        cfg (dict | list): A model config, changed in place.
        time_steps (int): T.

    Returns:
        int: How many fields were written.
    """
    check_time_steps(time_steps, 'time_steps (config option)')
    written = 0
    for sub in iter_sub_configs(cfg):
        if 'time_steps' in sub:
            sub['time_steps'] = time_steps
            written += 1
    return written


def apply_time_steps_option(cfg: Any, cfg_options: Optional[dict]) -> None:
    """Make ``--cfg-options time_steps=N`` reach the model.

    mmengine has already resolved the config's top-level ``time_steps``
    into the fields that used it, so merging the option changes only the
    top-level value. This writes it into every ``time_steps`` field of
    ``cfg.model`` (a spiking detector's one key, or each spiking part of a
    stock detector). Other options are left to ``merge_from_dict``.

    Args:
        cfg (Config): The merged config, changed in place.
        cfg_options (dict, optional): The ``--cfg-options`` given.

    Raises:
        ConfigValueError: If ``time_steps`` is given but the model config
            has no ``time_steps`` field to write it into.
    """
    if not cfg_options or 'time_steps' not in cfg_options:
        return
    if not set_config_time_steps(cfg.model, cfg_options['time_steps']):
        raise ConfigValueError(
            f'--cfg-options time_steps={cfg_options["time_steps"]!r}: the '
            'model config has no `time_steps` field to set (is it an ANN?)')
