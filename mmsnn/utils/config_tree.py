"""Walking a config's nested dicts and lists, its data sets and pipelines."""
from typing import Any, Iterator, Sequence, Tuple

from mmengine.config import Config


def iter_sub_configs(node: Any) -> Iterator[dict]:
    """Every dict nested in ``node`` (itself included, if a dict), parents
    before their children, through dicts, lists and tuples.

    A dict may be changed in place when it is yielded (values replaced):
    its values are walked after that.

    Args:
        node (dict | list | tuple | Any): A config or part of one.

    Yields:
        dict: Each nested dict (a ``ConfigDict`` for a ``Config``).
    """
    if isinstance(node, dict):
        yield node
        children = node.values()
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        return
    for child in children:
        yield from iter_sub_configs(child)


def iter_dataset_cfgs(dataset_cfg: dict,
                      where: str) -> Iterator[Tuple[str, dict]]:
    """Yield ``(config key, cfg)`` of every leaf data set under wrappers.

    Args:
        dataset_cfg (dict): A ``dataset`` config, possibly a wrapper holding
            ``dataset`` (``RepeatDataset``, ``ClassBalancedDataset``, ...) or
            ``datasets`` (``ConcatDataset``).
        where (str): Its key in the config, e.g.
            ``'train_dataloader.dataset'``.

    Yields:
        tuple[str, dict]: The dotted key of a leaf (list items as ``.0``, the
        form ``--cfg-options`` takes) and its config.
    """
    if 'datasets' in dataset_cfg:
        for i, sub in enumerate(dataset_cfg['datasets']):
            yield from iter_dataset_cfgs(sub, f'{where}.datasets.{i}')
    elif 'dataset' in dataset_cfg:
        yield from iter_dataset_cfgs(dataset_cfg['dataset'],
                                     f'{where}.dataset')
    else:
        yield where, dataset_cfg


def iter_transform_cfgs(cfg: Config, base: type,
                        loaders: Sequence[str] = ('train_dataloader',
                                                  'val_dataloader',
                                                  'test_dataloader'),
                        top_level: bool = True) -> Iterator[dict]:
    """The configs of every transform of type ``base`` (a subclass
    included) in the data pipelines of a config.

    Transforms are recognised by their registered class, not their name,
    also inside wrappers (``TestTimeAug``, ``RandomChoice``) and data set
    wrappers.

    Args:
        cfg (Config): The config.
        base (type): The transform class.
        loaders (Sequence[str]): Dataloaders whose data sets to walk.
        top_level (bool): Also walk top-level ``*_pipeline`` lists, which
            tools copy from (``tta_pipeline``). Defaults to True.

    Yields:
        dict: A transform's config, to read or change in place.
    """
    from mmdet.registry import TRANSFORMS

    def walk(pipeline):
        for node in iter_sub_configs(pipeline):
            kind = node.get('type')
            if isinstance(kind, str):
                kind = TRANSFORMS.get(kind)
            if isinstance(kind, type) and issubclass(kind, base):
                yield node

    for key in loaders:
        dataset = (cfg.get(key) or {}).get('dataset')
        for _, leaf in iter_dataset_cfgs(dataset or {}, key):
            yield from walk(leaf.get('pipeline', []))
    if top_level:
        for key, value in cfg.items():
            if key.endswith('_pipeline'):
                yield from walk(value)
