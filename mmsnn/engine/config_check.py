"""A config's types and spiking values, checked by key path before anything
is built.

mmengine reports a misspelled ``type`` as ``KeyError: 'IFNeurn is not in
the mmdet::model registry ...'`` from deep inside the build, without the key
that holds it; a bad neuron value is reported by the neuron's constructor,
which knows its class but not where in the config it was set. Here both
name the config key (``model.backbone.neuron_cfg.type``,
``model.backbone.neuron_cfg.v_threshold``), as ``--cfg-options`` takes it.
"""
import difflib
from typing import Iterator, List, Sequence, Tuple

from mmcv import ops
from mmdet.registry import (DATA_SAMPLERS, DATASETS, EVALUATOR, HOOKS, LOOPS,
                            METRICS, MODEL_WRAPPERS, MODELS,
                            OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                            OPTIMIZERS, PARAM_SCHEDULERS, TASK_UTILS,
                            TRANSFORMS, VISBACKENDS, VISUALIZERS,
                            WEIGHT_INITIALIZERS)
from mmengine.registry import FUNCTIONS, Registry

from ..models.defaults import neuron_config
from ..models.neurons import BaseSpikingNeuron
from ..models.time.folding import check_decode_mode, check_time_steps
from ..utils.input_error import ConfigValueError

_MODEL = (MODELS, TASK_UTILS, WEIGHT_INITIALIZERS)
_DATA = (DATASETS, TRANSFORMS, DATA_SAMPLERS, FUNCTIONS)

#: The registries that build each top-level part of a config (a key ending
#: in ``_dataloader`` or ``_pipeline`` is data).
SECTION_REGISTRIES = {
    'model': _MODEL,
    'tta_model': _MODEL,
    'data_preprocessor': _MODEL,
    'custom_hooks': (HOOKS, ),
    'default_hooks': (HOOKS, ),
    'optim_wrapper': (OPTIM_WRAPPERS, OPTIMIZERS,
                      OPTIM_WRAPPER_CONSTRUCTORS),
    'param_scheduler': (PARAM_SCHEDULERS, ),
    'val_evaluator': (METRICS, EVALUATOR),
    'test_evaluator': (METRICS, EVALUATOR),
    'train_cfg': (LOOPS, ),
    'val_cfg': (LOOPS, ),
    'test_cfg': (LOOPS, ),
    'visualizer': (VISUALIZERS, VISBACKENDS),
    'model_wrapper_cfg': (MODEL_WRAPPERS, ),
}

#: Keys whose ``type`` names an op of ``mmcv.ops``, not a registry entry
#: (mmcv's ``batched_nms``, mmdet's RoI extractors look it up there).
OPS_KEYS = ('nms', 'roi_layer')


def _registries(section: str) -> Tuple[Registry, ...]:
    if section.endswith(('_dataloader', '_pipeline')):
        return _DATA
    return SECTION_REGISTRIES.get(section, ())


def _registries_at(path: str, section: Tuple[Registry, ...]
                   ) -> Tuple[Registry, ...]:
    """The registries of the dict at ``path``: a pipeline inside any part
    (a hook's ``switch_pipeline``, a data set's ``pipeline``) holds
    transforms; elsewhere the section's."""
    if any(key.endswith('pipeline') for key in path.split('.')[1:]):
        return _DATA
    return section


def _typed(node, path: str) -> Iterator[Tuple[str, dict]]:
    """``(key path, dict)`` of every dict under ``node`` (itself
    included), list items as ``.0``, parents first."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _typed(value, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _typed(value, f'{path}.{i}')


def _names(registry: Registry) -> List[str]:
    """The names ``registry.get`` finds without a scope: its own and its
    parents'."""
    names = []
    while registry is not None:
        names += list(registry.module_dict)
        registry = registry.parent
    return names


def _find(registries: Sequence[Registry], name: str, scope=None):
    """The class ``name`` is, as mmengine's build finds it: in the registry
    of the config's ``_scope_`` (which mmengine sets on what a config
    inherits from ``mmdet::``), then its parents; None if in none."""
    for registry in registries:
        with registry.switch_scope_and_registry(scope) as scoped:
            found = scoped.get(name)
        if found is not None:
            return found
    return None


def unknown_types(cfg, sections: Sequence[str] = ()) -> List[str]:
    """Describe every ``type`` of the config that its registries lack.

    Args:
        cfg (Config): The config (mmsnn and the config's
            ``custom_imports`` imported).
        sections (Sequence[str]): Top-level keys to look at; empty for all
            that :data:`SECTION_REGISTRIES` knows and the data parts.

    Returns:
        list[str]: e.g. ``"model.backbone.neuron_cfg.type='IFNeurn' (not
        in mmdet's MODELS, TASK_UTILS, WEIGHT_INITIALIZERS; closest:
        'IFNeuron', 'LIFNeuron')"``.
    """
    found = []
    for section in sections or list(cfg.keys()):
        section_registries = _registries(section)
        if not section_registries or section not in cfg:
            continue
        for path, node in _typed(cfg[section], section):
            registries = _registries_at(path, section_registries)
            kind = node.get('type')
            if not isinstance(kind, str):
                continue
            if path.rsplit('.', 1)[-1] in OPS_KEYS:
                if hasattr(ops, kind):
                    continue
                candidates, where = dir(ops), 'the ops of mmcv.ops'
            elif _find(registries, kind, node.get('_scope_')):
                continue
            else:
                candidates = [n for r in registries for n in _names(r)]
                where = 'the {} registr{}'.format(
                    ', '.join(r.name for r in registries),
                    'ies' if len(registries) > 1 else 'y')
            close = difflib.get_close_matches(kind.split('.')[-1],
                                              sorted(set(candidates)), n=3)
            found.append(f'{path}.type={kind!r} (not in {where}; closest: ' +
                         (', '.join(repr(c) for c in close) or 'none') + ')')
    return found


def _builds(cls: type, kwargs: dict) -> bool:
    """Whether ``cls(**kwargs)`` passes the class's value checks."""
    try:
        cls(**kwargs)
    except ConfigValueError:
        return False
    except Exception:  # not a value error: the build reports it
        return True
    return True


def _neuron_error(cls: type, kwargs: dict, path: str):
    """The :class:`ConfigValueError` building ``cls(**kwargs)`` raises,
    reworded to name the keys at fault: those without which it builds
    (None if it builds)."""
    try:
        cls(**kwargs)
        return None
    except ConfigValueError as e:
        error = e
    except Exception:  # not a value error: left to the build
        return None
    culprits = [
        key for key in kwargs
        if _builds(cls, {k: v for k, v in kwargs.items() if k != key})
    ]
    if len(culprits) == 1:
        return ConfigValueError(f'{path}.{culprits[0]}: {error}')
    if culprits:
        keys = ', '.join(f'{path}.{key}' for key in culprits)
        return ConfigValueError(f'{keys} (wrong together): {error}')
    return ConfigValueError(f'{path}: {error}')


def check_spiking_values(model_cfg: dict, where: str = 'model') -> None:
    """Check every ``time_steps``, ``decode_mode`` and neuron config of a
    model config with the components' own checks, naming the key.

    Neurons are the configs whose ``type`` is a
    :class:`~mmsnn.models.neurons.BaseSpikingNeuron` and every
    ``neuron_cfg`` (merged over the default neuron, as the spiking parts
    do); each is built once, alone.

    Args:
        model_cfg (dict): The model config.
        where (str): Its key, for the messages. Defaults to ``'model'``.

    Raises:
        ConfigValueError: Names the key (``model.backbone.neuron_cfg.
            v_threshold``), the value and what is accepted.
    """
    for path, node in _typed(model_cfg, where):
        if 'time_steps' in node:
            check_time_steps(node['time_steps'], f'{path}.time_steps')
        if node.get('decode_mode') is not None:
            try:
                check_decode_mode(node['decode_mode'])
            except ConfigValueError as e:
                raise ConfigValueError(f'{path}.decode_mode: {e}') from None
        for key, value in node.items():
            if key == 'neuron_cfg' and (value is None
                                        or isinstance(value, dict)):
                _check_neuron(neuron_config(value), f'{path}.{key}')
        kind = node.get('type')
        if isinstance(kind, str):
            kind = MODELS.get(kind)
        if isinstance(kind, type) and issubclass(kind, BaseSpikingNeuron):
            _check_neuron(node, path)


def _check_neuron(neuron_cfg: dict, path: str) -> None:
    cls = neuron_cfg.get('type')
    if isinstance(cls, str):
        cls = MODELS.get(cls)
    if not (isinstance(cls, type) and issubclass(cls, BaseSpikingNeuron)):
        return
    error = _neuron_error(
        cls, {k: v for k, v in neuron_cfg.items() if k != 'type'}, path)
    if error is not None:
        raise error


def check_config(cfg, sections: Sequence[str] = ()) -> None:
    """Refuse a config whose types are not registered or whose spiking
    values are out of range, naming the keys, before anything is built.

    Args:
        cfg (Config): The config.
        sections (Sequence[str]): Top-level keys whose types to check
            (:func:`unknown_types`); empty for all.

    Raises:
        ConfigValueError: One paragraph naming each key at fault.
    """
    unknown = unknown_types(cfg, sections)
    if unknown:
        raise ConfigValueError(
            'The config names types that are not registered: ' +
            '; '.join(unknown) + '. A misspelling? A component of another '
            'package needs that package imported first (custom_imports = '
            "dict(imports=['package'])).")
    if isinstance(cfg.get('model', None), dict):
        check_spiking_values(cfg.model)
