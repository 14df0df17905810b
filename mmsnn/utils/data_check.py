"""Check the data sets a config points at before any long work starts.

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
import time
import warnings
import xml.etree.ElementTree as ET
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.logging import print_log

from .input_error import InputError

DATASET_DOC = 'docs/dataset_prepare.md'
# How many examples of one kind of problem a message lists.
_MAX_EXAMPLES = 5


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
        InputError: A data root or annotation file is missing, or (for XML
            data sets) a listed image/annotation is missing, an XML is
            malformed, a box is degenerate or outside its image, or an image
            is truncated or not an image. Objects whose class is not among
            the data set's classes are skipped by mmdet and only warned of.
    """
    from mmdet.datasets import XMLDataset
    from mmdet.registry import DATASETS

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
        ident = (type(dataset).__name__, dataset.data_root, dataset.ann_file)
        if ident in seen:
            continue
        seen.add(ident)
        root = dataset.data_root
        if root and not osp.isdir(root):
            missing.append((where, root, dataset.ann_file))
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
            check_xml_dataset(dataset, where)
    if missing:
        raise InputError(_missing_data_message(cfg, leaves, missing,
                                               config_file))


def _missing_data_message(cfg, leaves, missing, config_file) -> str:
    where, root, ann_file = missing[0]
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
        f'data_root of {where}{in_config}; it should hold {ann_file}'
        f'{others}. Get the data as {DATASET_DOC} describes (PASCAL VOC: '
        'download VOC2007 and VOC2012 and unpack them so that '
        'data/VOCdevkit/VOC2007 and data/VOCdevkit/VOC2012 exist), or link '
        f'your copy there (ln -s /path/to/VOCdevkit {root.rstrip("/")}). To '
        'use another location, override the data sets themselves (a '
        'top-level data_root is substituted when the config is read, so '
        'overriding it changes nothing; ann_file and data_prefix are '
        'relative to data_root): --cfg-options ' + ' '.join(overrides))


def check_xml_dataset(dataset, where: str) -> None:
    """Check every image and XML annotation a VOC-style split lists.

    Args:
        dataset (XMLDataset): A data set built with ``lazy_init=True``.
        where (str): Its key in the config, for messages.

    Raises:
        InputError: Names every kind of problem found with up to five
            example files each (see :func:`check_data`).
    """
    start = time.time()
    split = dataset.ann_file
    with open(split) as f:
        img_ids = [line.strip() for line in f if line.strip()]
    if not img_ids:
        raise InputError(f'Split file {split} ({where}) lists no image ids; '
                         'expected one id per line (e.g. 000005).')
    classes = dataset.metainfo['classes']
    problems: Dict[str, List[str]] = {}
    unknown: Dict[str, List[str]] = {}
    for img_id in img_ids:
        img_path = osp.join(dataset.sub_data_root, dataset.img_subdir,
                            f'{img_id}.jpg')
        xml_path = osp.join(dataset.sub_data_root, dataset.ann_subdir,
                            f'{img_id}.xml')
        if not osp.isfile(img_path):
            problems.setdefault('image missing', []).append(img_path)
        else:
            image_problem = _image_problem(img_path)
            if image_problem:
                problems.setdefault(image_problem, []).append(img_path)
        if not osp.isfile(xml_path):
            problems.setdefault('annotation missing', []).append(xml_path)
            continue
        for kind, detail in _xml_problems(xml_path, img_path, classes,
                                          unknown):
            problems.setdefault(kind, []).append(f'{xml_path}: {detail}'
                                                 if detail else xml_path)
    if unknown:
        examples = '; '.join(f'{name!r} in {files[0]}' +
                             (f' and {len(files) - 1} more'
                              if len(files) > 1 else '')
                             for name, files in list(unknown.items())[:10])
        warnings.warn(
            f'{where} (split {split}): objects of classes not in the data '
            f'set\'s classes are skipped, as mmdet does: {examples}. '
            f'Expected one of {tuple(classes)}; set '
            'metainfo=dict(classes=...) on the data set if these should be '
            'learned.')
    if problems:
        lines = []
        for kind, items in problems.items():
            more = (f' (and {len(items) - _MAX_EXAMPLES} more)'
                    if len(items) > _MAX_EXAMPLES else '')
            lines.append(f'{kind}: ' + ', '.join(items[:_MAX_EXAMPLES]) +
                         more)
        raise InputError(
            f'Bad data in {where} (split file {split}, {len(img_ids)} ids; '
            'each id needs JPEGImages/<id>.jpg and Annotations/<id>.xml):\n'
            + '\n'.join('  - ' + line for line in lines) +
            f'\nFix or remove these files (and their ids in {split}).')
    print_log(f'mmsnn data check: {where} ({split}): {len(img_ids)} images '
              f'and annotations OK in {time.time() - start:.1f} s',
              logger='current')


def _image_problem(path: str) -> Optional[str]:
    """Cheap structural check: a JPEG must start with SOI and end with EOI.

    Decoding every image would take minutes on VOC; a truncated download
    (the usual corruption) lacks the end-of-image marker. cv2 would decode
    it anyway and silently fill the rest with grey.
    """
    with open(path, 'rb') as f:
        head = f.read(4)
        if head[:2] == b'\xff\xd8':
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 1024))
            if b'\xff\xd9' not in f.read():
                return ('image truncated (JPEG without its end-of-image '
                        'marker; re-download or re-encode it)')
            return None
    if head.startswith(b'\x89PNG') or head[:2] == b'BM':
        return None  # other formats cv2 reads under a .jpg name
    return (f'not an image (expected a JPEG, file starts with {head!r})')


def _xml_problems(xml_path: str, img_path: str, classes: Sequence[str],
                  unknown: Dict[str, List[str]]) -> List[Tuple[str, str]]:
    """Problems of one annotation file as ``(kind, detail)`` pairs."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        return [('malformed XML', str(e))]
    width = height = None
    size = root.find('size')
    if size is not None:
        try:
            width = int(size.find('width').text)
            height = int(size.find('height').text)
        except (AttributeError, TypeError, ValueError):
            width = height = 0
        if width <= 0 or height <= 0:
            return [('bad <size>', 'expected positive integer <width> and '
                     '<height>')]
    elif osp.isfile(img_path):
        import cv2
        img = cv2.imread(img_path)
        if img is not None:
            height, width = img.shape[:2]
    found = []
    for i, obj in enumerate(root.findall('object')):
        name = obj.findtext('name')
        if name is None:
            found.append(('object without <name>', f'object {i}'))
            continue
        if name not in classes:
            unknown.setdefault(name, []).append(xml_path)
            continue
        box = obj.find('bndbox')
        try:
            # The same conversion as mmdet's XMLDataset.
            x1, y1, x2, y2 = (int(float(box.find(k).text))
                              for k in ('xmin', 'ymin', 'xmax', 'ymax'))
        except (AttributeError, TypeError, ValueError):
            found.append(('bad <bndbox>', f'object {i} ({name!r}): expected '
                          'numeric xmin, ymin, xmax, ymax'))
            continue
        values = f'object {i} ({name!r}) box ({x1}, {y1}, {x2}, {y2})'
        if x2 <= x1 or y2 <= y1:
            found.append(('degenerate box', f'{values}: expected xmin < xmax '
                          'and ymin < ymax'))
        elif width is not None and (x1 < 0 or y1 < 0 or x2 > width
                                    or y2 > height):
            found.append(('box outside the image', f'{values}: expected '
                          f'0 <= xmin, xmax <= {width} (width), 0 <= ymin, '
                          f'ymax <= {height} (height)'))
    return found
