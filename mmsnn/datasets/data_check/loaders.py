"""Check the data sets a config's data loaders point at, before any long
work starts.

mmdet reads annotations when the runner builds its data loaders and images
only when a worker loads them, so a missing directory, a malformed XML or a
truncated JPEG surfaces as a deep traceback (sometimes from a worker process,
sometimes epochs later). :func:`check_data` walks the dataloader configs
(through ``RepeatDataset``, ``ConcatDataset`` and other wrappers), checks
every data root and annotation file, and for VOC-style (XML) data sets every
listed image and annotation, and raises one :class:`InputError` that names
each culprit and what was expected.
"""
import os.path as osp
from typing import Optional, Sequence

from mmdet.datasets import XMLDataset
from mmdet.registry import DATASETS
from mmengine.config import Config

from ...utils.config_tree import iter_dataset_cfgs
from ...utils.input_error import ConfigValueError, InputError
from ..gen1 import Gen1Dataset
from .exif_orientation import ANNOTATED_FRAMES, image_loader
from .gen1_check import check_gen1_dataset
from .missing_data import DATASET_DOC, missing_data_message
from .voc_check import check_xml_dataset


def check_loader_settings(cfg: Config, loaders: Sequence[str]) -> None:
    """Refuse dataloader settings torch would refuse once the runner is
    built, naming the keys to change.

    Args:
        cfg (Config): The config (after ``--cfg-options`` were merged).
        loaders (Sequence[str]): Dataloader keys, e.g. ``('train_dataloader',
            'val_dataloader')``.

    Raises:
        ConfigValueError: ``persistent_workers=True`` with
            ``num_workers=0`` (mmdet's bases set persistent workers, so
            ``--cfg-options X.num_workers=0`` alone leads there).
    """
    for key in loaders:
        loader = cfg.get(key) or {}
        if loader.get('persistent_workers') and not loader.get('num_workers'):
            raise ConfigValueError(
                f'{key}.num_workers=0 with {key}.persistent_workers=True: '
                'torch keeps workers alive only where there are workers. '
                f'Add {key}.persistent_workers=False to --cfg-options (the '
                'config inherits persistent_workers=True), or give it '
                'workers.')


def check_data(cfg: Config,
               loaders: Sequence[str],
               config_file: Optional[str] = None) -> None:
    """Check the data of the given dataloaders of a config.

    Args:
        cfg (Config): The config (after ``--cfg-options`` were merged).
        loaders (Sequence[str]): Dataloader keys to check, e.g.
            ``('train_dataloader', 'val_dataloader')``.
        config_file (str, optional): The config's path, for messages.

    Raises:
        InputError: A loader's settings cannot work
            (:func:`check_loader_settings`), a data root or annotation
            file is missing (the message says how to get the data, see
            :mod:`~mmsnn.datasets.data_check.missing_data`), or (for XML
            data sets) a split file has a blank line or spaces in an id, a
            listed image/annotation is missing, an XML is malformed, its
            ``<size>`` differs from the image's as the pipeline loads it
            (EXIF orientation included, see :mod:`.exif_orientation`), a
            box is degenerate or outside its image, an image is truncated,
            corrupt or not an image, or no object of the split is of the
            data set's classes (see :func:`check_xml_dataset`; the config
            key ``data_check = dict(decode_images=True | False | 'auto')``
            chooses how thoroughly images are checked, and
            ``annotated_frame='oriented' | 'stored'`` in which frame the
            boxes of photos with an EXIF orientation were drawn where their
            ``<size>`` cannot tell). Gen1 splits are indexed and their
            recordings without events and labels outside their events
            named (:func:`check_gen1_dataset`). Objects whose class is not
            among the data set's classes are skipped by mmdet and only
            warned of where others are left; images left without objects
            are counted in the log.
    """
    check_loader_settings(cfg, loaders)
    settings = cfg.get('data_check') or {}
    decode = settings.get('decode_images', 'auto')
    if decode not in (True, False, 'auto'):
        raise InputError(
            f'data_check.decode_images={decode!r} in the config: expected '
            "True, False or 'auto'.")
    annotated_frame = settings.get('annotated_frame')
    if annotated_frame not in (None, ) + ANNOTATED_FRAMES:
        raise InputError(
            f'data_check.annotated_frame={annotated_frame!r} in the config: '
            "expected 'oriented' (boxes drawn on photos turned as their "
            "EXIF orientation says, as image viewers show them) or 'stored' "
            '(on the pixels as stored).')
    leaves = []
    for key in loaders:
        loader = cfg.get(key)
        if loader and loader.get('dataset'):
            leaves.extend(iter_dataset_cfgs(loader['dataset'],
                                            f'{key}.dataset'))
    missing, seen = [], set()
    for where, ds_cfg in leaves:
        try:
            dataset = DATASETS.build(
                dict(ds_cfg, lazy_init=True, pipeline=[]))
        except Exception:  # an unusual data set: leave it to mmdet
            continue
        if getattr(dataset, 'backend_args', None):
            continue  # remote storage: nothing local to check
        # Gen1's splits differ by data_prefix only.
        ident = (type(dataset).__name__, dataset.data_root, dataset.ann_file,
                 repr(dataset.data_prefix))
        if ident in seen:
            continue
        seen.add(ident)
        root = dataset.data_root
        if root and not osp.isdir(root):
            missing.append((where, root, dataset))
        elif dataset.ann_file and not osp.isfile(dataset.ann_file):
            kind = ('COCO-format annotation file (made from VOC XMLs by '
                    "mmdet's converter, see the doc)"
                    if dataset.ann_file.endswith('.json') else 'Split file')
            raise InputError(
                f'{kind} {dataset.ann_file} (ann_file of {where}, relative '
                f'to its data_root {root}) does not exist. Check the data '
                f'set layout against {DATASET_DOC}, or drop that data set '
                'from the config.')
        elif isinstance(dataset, XMLDataset):
            check_xml_dataset(
                dataset, where, decode,
                image_loader(ds_cfg.get('pipeline'), f'{where}.pipeline'),
                annotated_frame)
        elif isinstance(dataset, Gen1Dataset):
            check_gen1_dataset(dataset, where)
    if missing:
        raise InputError(missing_data_message(cfg, leaves, missing,
                                              config_file))
