"""The settings a config gives a run, and a short digest of them.

A config file's resolved dict (``Config.fromfile(path).to_dict()``) holds
more than a run reads: every top-level variable a file used as a helper
(``img_scale``, ``c3``, a data set dict spliced into the loaders), and
mmengine's ``_scope_`` bookkeeping, which depends on which file, mmdet's or
ours, a value was inherited from. Moving a value into a ``_base_`` file
changes those but not the run. :func:`config_settings` keeps what a run
reads: the top-level keys mmengine's ``Runner`` and the OpenMMLab tools
read, with ``_scope_`` entries that name the default scope (which change
nothing) left out. :func:`settings_digest` hashes them: the main job prints
it, and ``configs/mini_voc/results.json`` keeps its published range per
digest, so that runs of one recipe are compared only with each other.
"""
import hashlib
import json
from typing import Any, Dict, Mapping, Union

from mmengine.config import Config

#: The top-level keys a run reads: ``mmengine.runner.Runner.from_cfg`` and
#: the runner's own ``cfg.get`` calls, the config's ``custom_imports``, and
#: what the tools read (test-time augmentation, mmsnn's data check).
SETTINGS_KEYS = (
    'activation_checkpointing', 'auto_scale_lr', 'compile', 'custom_hooks',
    'custom_imports', 'data_check', 'data_preprocessor', 'default_hooks',
    'default_scope', 'efficient_conv_bn_eval', 'env_cfg', 'experiment_name',
    'launcher', 'load_from', 'log_level', 'log_processor', 'model',
    'model_wrapper_cfg', 'optim_wrapper', 'param_scheduler', 'randomness',
    'resume', 'sync_bn', 'test_cfg', 'test_dataloader', 'test_evaluator',
    'train_cfg', 'train_dataloader', 'tta_model', 'tta_pipeline', 'val_cfg',
    'val_dataloader', 'val_evaluator', 'visualizer', 'work_dir')


def _without_scope(value: Any, scope: Any) -> Any:
    """``value`` with every ``_scope_`` entry equal to ``scope`` removed."""
    if isinstance(value, Mapping):
        return {key: _without_scope(item, scope)
                for key, item in value.items()
                if not (key == '_scope_' and item == scope)}
    if isinstance(value, (list, tuple)):
        return [_without_scope(item, scope) for item in value]
    return value


def config_settings(cfg: Union[Config, Mapping]) -> Dict[str, Any]:
    """The settings a config gives a run, as plain JSON-like values.

    Args:
        cfg (Config | Mapping): A config, or its ``to_dict()``.

    Returns:
        dict: The keys of :data:`SETTINGS_KEYS` the config has, with
        tuples as lists and ``_scope_`` entries naming the config's
        ``default_scope`` left out.
    """
    values = cfg.to_dict() if isinstance(cfg, Config) else dict(cfg)
    settings = {key: values[key] for key in SETTINGS_KEYS if key in values}
    settings = _without_scope(settings, values.get('default_scope'))
    return json.loads(json.dumps(settings, sort_keys=True, default=str))


def settings_digest(cfg: Union[Config, Mapping]) -> str:
    """The first 8 hex digits of the SHA-256 of a config's settings.

    Args:
        cfg (Config | Mapping): A config, or its ``to_dict()``.

    Returns:
        str: 8 hex digits; equal for two configs exactly when
        :func:`config_settings` is.
    """
    text = json.dumps(config_settings(cfg), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
