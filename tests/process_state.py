"""Process-wide state that importing a plugin must leave alone, and what
``import mmsnn`` changes of it, measured in a fresh interpreter.

Run as ``python -m tests.process_state MODULES_FILE [--mutations]`` from
the repository root: it imports the modules listed in MODULES_FILE (the
third-party modules ``import mmsnn`` loads, so that their own first-import
registrations are not counted), takes a :func:`snapshot`, imports mmsnn,
takes another and prints, as JSON, the differences (:func:`diff`) split
into mmsnn's allowed additions and everything else. With ``--mutations``
it then applies, one after the other, side effects a plugin must not have
(:data:`MUTATIONS`) and reports what the snapshot saw of each: the check
that the snapshot can fail.
"""
import importlib
import json
import logging
import random
import sys
import warnings

#: Side effects the snapshot must see (each applied after the previous).
MUTATIONS = {
    'local backend replaced': (
        'from mmengine.fileio import register_backend\n'
        'from mmsnn.engine import AtomicLocalBackend\n'
        "register_backend('local', AtomicLocalBackend, force=True, "
        "prefixes='')"),
    'backend instance cached': (
        'from mmengine.fileio import get_file_backend, io\n'
        "get_file_backend('x', enable_singleton=True)\n"),
    'checkpoint scheme re-registered': (
        'from mmengine.runner.checkpoint import CheckpointLoader\n'
        "loader = CheckpointLoader._schemes['']\n"
        "CheckpointLoader.register_scheme('', lambda *a, **k: loader(*a, "
        '**k), force=True)'),
    'safe globals widened': (
        'import torch, collections\n'
        'torch.serialization.add_safe_globals([collections.Counter])'),
    'registry entry replaced': (
        'from mmdet.registry import MODELS\n'
        "MODELS.register_module('YOLOV3', module=type('X', (), {}), "
        'force=True)'),
    'warnings filter added': (
        'import warnings\n'
        "warnings.filterwarnings('ignore', message='mmsnn')"),
    'logging handler added': (
        'import logging\n'
        "logging.getLogger('mmengine').addHandler(logging.NullHandler())"),
    'torch threads changed': (
        'import torch\n'
        'torch.set_num_threads(max(1, torch.get_num_threads() - 1) '
        'if torch.get_num_threads() > 1 else 2)'),
    'MODULE2PACKAGE edited': (
        'from mmengine.config.utils import MODULE2PACKAGE\n'
        "MODULE2PACKAGE['mmdet'] = 'mmsnn'"),
}


def _registries():
    """Every mmengine registry reachable from mmengine's roots (mmdet's,
    mmcv's and mmsnn's are their children), by path ``root/child/...``."""
    import mmengine.registry
    from mmengine.registry import Registry
    found = {}

    def walk(registry, path):
        found[path] = registry
        for scope, child in registry._children.items():
            walk(child, f'{path}/{scope}')

    for name, value in sorted(vars(mmengine.registry).items()):
        if isinstance(value, Registry) and value.parent is None:
            walk(value, name)
    return found


def _manager_classes():
    """mmengine's ManagerMixin classes (MessageHub, MMLogger, ...)."""
    from mmengine.utils import ManagerMixin
    found, todo = [], [ManagerMixin]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _loggers():
    """Level, handlers, propagation and state of every logging logger."""
    loggers = dict(logging.Logger.manager.loggerDict, root=logging.root)
    return {name: (logger.level, tuple(logger.handlers), logger.propagate,
                   logger.disabled)
            for name, logger in loggers.items()
            if isinstance(logger, logging.Logger)}


def snapshot() -> dict:
    """The state a plugin's import must not change, as
    ``{category: {key: value}}``; values compare with ``==`` (objects by
    identity)."""
    import numpy as np
    import torch
    from mmengine.config.utils import MODULE2PACKAGE
    from mmengine.fileio import FileClient, io
    from mmengine.fileio.backends import registry_utils
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import CheckpointLoader

    state = {
        'checkpoint schemes': dict(CheckpointLoader._schemes),
        'file backends': dict(registry_utils.backends),
        'file backend prefixes': dict(registry_utils.prefix_to_backends),
        'file backend instances': dict(io.backend_instances),
        'FileClient backends': dict(FileClient._backends),
        'FileClient prefixes': dict(FileClient._prefix_to_backends),
        'FileClient instances': dict(FileClient._instances),
        'MODULE2PACKAGE': dict(MODULE2PACKAGE),
        'HistoryBuffer statistics': dict(HistoryBuffer._statistics_methods),
        'torch safe globals': {repr(g): g for g in
                               torch.serialization.get_safe_globals()},
        'torch': {
            'default dtype': torch.get_default_dtype(),
            'default device': str(torch.get_default_device()),
            'grad enabled': torch.is_grad_enabled(),
            'anomaly detection': torch.is_anomaly_enabled(),
            'threads': torch.get_num_threads(),
            'interop threads': torch.get_num_interop_threads(),
            'deterministic': torch.are_deterministic_algorithms_enabled(),
            'deterministic warn only':
            torch.is_deterministic_algorithms_warn_only_enabled(),
            'cudnn deterministic': torch.backends.cudnn.deterministic,
            'cudnn benchmark': torch.backends.cudnn.benchmark,
            'matmul precision': torch.get_float32_matmul_precision(),
            'rng': torch.get_rng_state().numpy().tobytes(),
        },
        'random generators': {
            'python': random.getstate(),
            'numpy': repr(np.random.get_state()),
        },
        'warnings': {
            'filters': list(warnings.filters),
            'showwarning': warnings.showwarning,
            'formatwarning': warnings.formatwarning,
        },
        'loggers': _loggers(),
        'managers': {cls.__qualname__: tuple(cls._instance_dict)
                     for cls in _manager_classes()},
        'hooks': {'excepthook': sys.excepthook,
                  'path': tuple(sys.path)},
        'modules': {name: True for name in sys.modules},
    }
    import signal
    state['signal handlers'] = {
        sig.name: signal.getsignal(sig)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}
    for path, registry in _registries().items():
        state[f'registry {path}'] = dict(registry.module_dict)
        state[f'registry {path} children'] = dict(registry._children)
    return state


def _is_mmsnn(obj) -> bool:
    module = getattr(obj, '__module__', None) or ''
    return module == 'mmsnn' or module.startswith('mmsnn.')


def _allowed_addition(category: str, key, value) -> bool:
    """What ``import mmsnn`` may add: its own components in others'
    registries (and file backends), the children of scope ``mmsnn``, its
    own modules and the ``mmsnn`` config scope."""
    if category.startswith('registry ') and category.endswith(' children'):
        return key == 'mmsnn'
    if category.startswith('registry '):
        return _is_mmsnn(value)
    if category == 'file backends':
        return _is_mmsnn(value)
    if category == 'MODULE2PACKAGE':
        return (key, value) == ('mmsnn', 'mmsnn')
    if category == 'modules':
        return key == 'mmsnn' or key.startswith('mmsnn.')
    return False


def diff(before: dict, after: dict):
    """Differences from ``before`` to ``after``.

    Returns:
        tuple[list[str], list[str]]: mmsnn's allowed additions, and every
        other change (added, removed or replaced entries).
    """
    allowed, changed = [], []
    for category in sorted(set(before) | set(after)):
        old, new = before.get(category), after.get(category)
        if old is None:
            # A registry that did not exist: the children of scope mmsnn.
            where = allowed if '/mmsnn' in category else changed
            where.append(f'{category}: new')
            continue
        if new is None:
            changed.append(f'{category}: gone')
            continue
        for key in sorted(set(old) | set(new), key=repr):
            if key not in new:
                changed.append(f'{category}: {key!r} removed')
            elif key not in old:
                where = (allowed if _allowed_addition(category, key, new[key])
                         else changed)
                where.append(f'{category}: {key!r} added')
            elif not (old[key] is new[key] or _equal(old[key], new[key])):
                changed.append(f'{category}: {key!r} changed '
                               f'({old[key]!r:.80} -> {new[key]!r:.80})')
    return allowed, changed


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. arrays without a truth value
        return False


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as f:
        modules = f.read().split()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S110  (aliases, lazily made modules)
            pass
    before = snapshot()
    import mmsnn  # noqa: F401
    after = snapshot()
    allowed, changed = diff(before, after)
    report = dict(allowed=allowed, changed=changed, mutations={})
    if '--mutations' in argv:
        previous = after
        for name, code in MUTATIONS.items():
            exec(code, {})
            current = snapshot()
            report['mutations'][name] = diff(previous, current)[1]
            previous = current
    print(json.dumps(report))


if __name__ == '__main__':
    main()
