"""The ``mmsnn`` scope: what ``mmsnn::`` in a config's ``_base_`` needs.

mmsnn's components live in mmdet's registries (``mmdet.registry.MODELS``,
...). A config inheriting ``_base_ = 'mmsnn::snn_yolov3/...'`` has
mmengine tag every dict of that base with ``_scope_='mmsnn'``, and mmengine
then builds them from the registry of scope ``mmsnn`` (imported from
``mmsnn.registry``). So this module gives each of mmdet's registries a child
of scope ``mmsnn`` (a lookup there falls through to mmdet's, then
mmengine's), and tells mmengine's config loader that the ``mmsnn`` scope is
the installed package ``mmsnn``, whose configs are in its ``.mim/`` folder
(``setup.py``).

That second part adds the key ``'mmsnn'`` to mmengine's
``MODULE2PACKAGE`` (``setdefault``: nothing of others' is replaced). It is
the only way to an ``mmsnn::`` base: mmengine's config loader asserts that
the scope is a key there ("mmengine does not support to load mmsnn
config" otherwise), and it resolves bases before it imports a config's
``custom_imports``, so an ``mmsnn::`` base needs ``import mmsnn`` first
(mmsnn's tools do that; so does a script that imports mmsnn).
"""
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.registry import Registry

from mmdet import registry as mmdet_registry

#: Config scope and pip package name.
SCOPE = 'mmsnn'

MODULE2PACKAGE.setdefault(SCOPE, 'mmsnn')

__all__ = []
for _name, _parent in vars(mmdet_registry).copy().items():
    # mmdet's own (not the mmengine roots it imports as MMENGINE_*).
    if isinstance(_parent, Registry) and _parent.scope == 'mmdet':
        # locations: what to import before a build (mmsnn registers all).
        globals()[_name] = Registry(
            _parent.name, parent=_parent, scope=SCOPE, locations=['mmsnn'])
        __all__.append(_name)
