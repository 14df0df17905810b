"""The model a checkpoint was trained as, read from the config in its meta.

An ANN twin's checkpoint under an SNN config (or the reverse) has the same
tensor names and shapes, so it loads without a word and scores near zero.
mmengine stores the config's text (``cfg.pretty_text``) in every
checkpoint's ``meta['cfg']``; the types of the model, its parts and their
neurons are read from that text by parsing it (Python's ``ast``), never by
executing it: it comes from a checkpoint.
"""
import ast
from typing import Dict, Optional

from mmsnn.models.defaults import DEFAULT_NEURON_CFG


def _types_in_config_text(text: str) -> Dict[str, Optional[str]]:
    """The ``type`` of ``model``, of its sub-configs and of theirs (e.g.
    ``backbone.neuron_cfg``) in a config's Python text. A sub-config
    without a ``type`` maps to None."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, TypeError):
        return {}

    def to_dict(node):
        """A ``dict(...)`` / ``{...}`` node as a dict of nodes and str
        constants, None for anything else."""
        if isinstance(node, ast.Call) and getattr(node.func, 'id',
                                                  None) == 'dict':
            items = [(k.arg, k.value) for k in node.keywords if k.arg]
        elif isinstance(node, ast.Dict):
            items = [(k.value, v) for k, v in zip(node.keys, node.values)
                     if isinstance(k, ast.Constant)]
        else:
            return None
        return {k: (v.value if isinstance(v, ast.Constant) else
                    to_dict(v)) for k, v in items}

    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == 'model'):
            return _types_in_config(to_dict(stmt.value) or {})
    return {}


def _types_in_config(model_cfg: dict) -> Dict[str, Optional[str]]:
    """See :func:`_types_in_config_text`, for a model config."""
    while isinstance(model_cfg.get('module'), dict):  # a test-time-aug wrap
        model_cfg = model_cfg['module']

    def type_of(cfg):
        t = cfg.get('type')
        return t.split('.')[-1] if isinstance(t, str) else None

    found = {'model': type_of(model_cfg)}
    for name, sub in model_cfg.items():
        if isinstance(sub, dict):
            found[name] = type_of(sub)
            found.update((f'{name}.{k}', type_of(v)) for k, v in sub.items()
                         if isinstance(v, dict))
    return found


def model_type_mismatch(model_cfg: dict,
                        checkpoint: dict) -> Optional[str]:
    """Compare the model a checkpoint was trained as (the config in its
    meta) with a config's model: detector, parts and their neurons.

    A part's ``neuron_cfg`` without a ``type`` (or none, where the other
    side states one) is the default neuron (``DEFAULT_NEURON_CFG``), so an
    ANN twin (``neuron_cfg=dict(type='LeakyReLU')``) and its SNN differ.

    Args:
        model_cfg (dict): The config's ``model``.
        checkpoint (dict): The loaded checkpoint.

    Returns:
        str or None: e.g. ``'backbone.neuron_cfg LeakyReLU (config:
        IFNeuron)'``; None when they agree or the checkpoint records no
        config (an mmdet model-zoo file, say).
    """
    text = (checkpoint.get('meta') or {}).get('cfg')
    if not isinstance(text, str):
        return None
    trained, wanted = _types_in_config_text(text), _types_in_config(model_cfg)
    for types in (trained, wanted):
        for part in [k for k in {*trained, *wanted} if '.' not in k]:
            neuron = f'{part}.neuron_cfg'
            if (trained.get(part) == wanted.get(part) is not None
                    and (neuron in trained or neuron in wanted)
                    and types.get(neuron) is None):
                types[neuron] = DEFAULT_NEURON_CFG['type']
    differ = [f'{k} {trained[k]} (config: {wanted[k]})' for k in trained
              if trained[k] and wanted.get(k) and trained[k] != wanted[k]]
    return ', '.join(differ) or None
