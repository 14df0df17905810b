"""What a missing data root should hold and how to get it.

A data set class of mmsnn says it with a ``missing_data_hint(data_root)``
class method (:class:`~mmsnn.datasets.Gen1Dataset`). For classes mmsnn does
not own (mmdet's ``VOCDataset``, which the mini-VOC configs use), a module
that knows a layout registers a hint for the class with
:func:`register_missing_data_hint`; everything else gets the PASCAL VOC /
``docs/dataset_prepare.md`` hint.
"""
import os.path as osp
from typing import Callable, Dict, List, Optional

from mmengine.config import Config
from mmengine.dataset import BaseDataset

DATASET_DOC = 'docs/dataset_prepare.md'

#: ``hint(dataset, data_root)`` -> sentences ending with a full stop, or
#: None where the data set is not one the hint knows.
MissingDataHint = Callable[[BaseDataset, str], Optional[str]]

_HINTS: Dict[type, List[MissingDataHint]] = {}


def register_missing_data_hint(
        dataset_type: type) -> Callable[[MissingDataHint], MissingDataHint]:
    """Register a hint for missing data of ``dataset_type`` and its
    subclasses (a decorator).

    Args:
        dataset_type (type): The data set class.

    Returns:
        Callable: The decorator; it returns the hint unchanged.
    """

    def register(hint: MissingDataHint) -> MissingDataHint:
        _HINTS.setdefault(dataset_type, []).append(hint)
        return hint

    return register


def how_to_get_data(dataset: BaseDataset, root: str) -> str:
    """What a missing data root should hold and how to get it.

    The data set class's own ``missing_data_hint(data_root)`` first, then
    the hints registered for its class and its bases (nearest first), then
    the VOC / ``docs/dataset_prepare.md`` hint.

    Args:
        dataset (BaseDataset): The data set, built with ``lazy_init=True``.
        root (str): Its (missing) ``data_root``.

    Returns:
        str: One or more sentences, ending with a full stop.
    """
    own_hint = getattr(type(dataset), 'missing_data_hint', None)
    if callable(own_hint):
        return own_hint(root)
    for cls in type(dataset).__mro__:
        for hint in _HINTS.get(cls, ()):
            text = hint(dataset, root)
            if text:
                return text
    return (
        f'it should hold {dataset.ann_file}. Get the data as {DATASET_DOC} '
        'describes (PASCAL VOC: download VOC2007 and VOC2012 and unpack them '
        'so that data/VOCdevkit/VOC2007 and data/VOCdevkit/VOC2012 exist), '
        'or link your copy there (ln -s /path/to/VOCdevkit '
        f'{root.rstrip("/")}).')


def missing_data_message(cfg: Config, leaves: list, missing: list,
                         config_file: Optional[str]) -> str:
    """The message for data roots that do not exist.

    Args:
        cfg (Config): The config.
        leaves (list[tuple[str, dict]]): ``(config key, cfg)`` of every
            leaf data set checked.
        missing (list[tuple[str, str, BaseDataset]]): ``(config key,
            data_root, data set)`` of those whose root is missing.
        config_file (str, optional): The config's path.

    Returns:
        str: What is missing, how to get it and the ``--cfg-options`` that
        point the config elsewhere.
    """
    where, root, dataset = missing[0]
    in_config = f' in {config_file}' if config_file else ''
    others = (f' ({len(missing) - 1} more data set(s) use missing roots too)'
              if len(missing) > 1 else '')
    overrides = [f'{key}.data_root=/path/to/your/data/'
                 for key, ds in leaves if 'data_root' in ds]
    for key in ('val_evaluator', 'test_evaluator'):
        if isinstance(cfg.get(key), dict) and cfg[key].get('ann_file'):
            overrides.append(f'{key}.ann_file=/path/to/your/annotations.json')
    return (
        f'No data set at {root} (absolute: {osp.abspath(root)}), the '
        f'data_root of {where}{in_config}{others}; '
        f'{how_to_get_data(dataset, root)} To use another location, '
        'override the data sets themselves (a top-level data_root is '
        'substituted when the config is read, so overriding it changes '
        'nothing; ann_file and data_prefix are relative to data_root): '
        '--cfg-options ' + ' '.join(overrides))
