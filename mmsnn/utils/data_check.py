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
import contextlib
import logging
import os
import os.path as osp
import sys
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from typing import (Callable, Dict, Iterator, List, Optional, Sequence,
                    Tuple)

from mmengine.config import Config
from mmengine.logging import print_log

from .input_error import ConfigValueError, InputError

DATASET_DOC = 'docs/dataset_prepare.md'
# How many examples of one kind of problem a message lists.
_MAX_EXAMPLES = 5
#: ``data_check = dict(decode_images='auto')`` decodes every image of splits
#: up to this size (mini-VOC, VOC07 test: seconds); larger ones get the
#: structural check unless the config says ``decode_images=True``.
DECODE_AUTO_MAX_IMAGES = 5000


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
            file is missing, or (for XML
            data sets) a split file has a blank line or spaces in an id, a
            listed image/annotation is missing, an XML is malformed, its
            ``<size>`` differs from the image's, a box is degenerate or
            outside its image, or an image is truncated, corrupt or not an
            image (see :func:`check_xml_dataset`; the config key
            ``data_check = dict(decode_images=True | False | 'auto')``
            chooses how thoroughly images are checked). Objects whose class
            is not among the data set's classes are skipped by mmdet and only
            warned of; images left without objects are counted in the log.
    """
    from mmdet.datasets import XMLDataset
    from mmdet.registry import DATASETS

    check_loader_settings(cfg, loaders)
    decode = (cfg.get('data_check') or {}).get('decode_images', 'auto')
    if decode not in (True, False, 'auto'):
        raise InputError(
            f'data_check.decode_images={decode!r} in the config: expected '
            "True, False or 'auto'.")
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
            check_xml_dataset(dataset, where, decode)
    if missing:
        raise InputError(_missing_data_message(cfg, leaves, missing,
                                               config_file))


def _missing_data_message(cfg, leaves, missing, config_file) -> str:
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
        f'{_how_to_get_data(dataset, root)} To use another location, '
        'override the data sets themselves (a top-level data_root is '
        'substituted when the config is read, so overriding it changes '
        'nothing; ann_file and data_prefix are relative to data_root): '
        '--cfg-options ' + ' '.join(overrides))


def _checkout_script(relative: str) -> str:
    """A script of the checkout, as a command run in the current directory
    names it: ``relative`` from the checkout's root, else its absolute path
    (where mmsnn is a checkout; an installed package has no tools/)."""
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    script = osp.join(repo, relative)
    if not osp.isfile(script) or osp.realpath(os.getcwd()) == \
            osp.realpath(repo):
        return relative
    return script


def _how_to_get_data(dataset, root: str) -> str:
    """What a missing data root should hold and how to get it.

    A data set class that knows its own layout says so with a
    ``missing_data_hint(data_root)`` class method (``Gen1Dataset``); mmdet's
    data sets get the VOC / ``docs/dataset_prepare.md`` hint.

    Args:
        dataset (BaseDataset): The data set, built with ``lazy_init=True``.
        root (str): Its (missing) ``data_root``.

    Returns:
        str: One or more sentences, ending with a full stop.
    """
    own_hint = getattr(type(dataset), 'missing_data_hint', None)
    if callable(own_hint):
        return own_hint(root)
    if 'MiniVOC' in str(dataset.ann_file).split(osp.sep):
        # the bundled synthetic set is generated, not downloaded
        root_dir = root.rstrip('/')
        out = osp.dirname(root_dir) if osp.basename(
            root_dir) == 'VOCdevkit' else root
        return (
            f'it should hold {dataset.ann_file}, the bundled synthetic '
            'mini-VOC, which is generated, not downloaded: python '
            f'{_checkout_script("tools/misc/make_mini_voc.py")} --out '
            f'{out or "."} (the main job, tools/run_main_job.sh, does '
            'this).')
    return (
        f'it should hold {dataset.ann_file}. Get the data as {DATASET_DOC} '
        'describes (PASCAL VOC: download VOC2007 and VOC2012 and unpack them '
        'so that data/VOCdevkit/VOC2007 and data/VOCdevkit/VOC2012 exist), '
        'or link your copy there (ln -s /path/to/VOCdevkit '
        f'{root.rstrip("/")}).')


def check_xml_dataset(dataset, where: str, decode='auto') -> None:
    """Check every image and XML annotation a VOC-style split lists.

    The split file is read as mmdet's ``XMLDataset`` reads it (mmengine's
    ``list_from_file``: every line, only its line break removed, is an id),
    so a blank line or a space around an id, which mmdet turns into a path
    like ``Annotations/.xml`` and a crash, is reported with its line.

    Args:
        dataset (XMLDataset): A data set built with ``lazy_init=True``.
        where (str): Its key in the config, for messages.
        decode (bool or str): Decode every image as the loader does (cv2),
            which also finds data corrupted in the middle of a JPEG (libjpeg
            only warns, and the loader would train on a grey-filled
            picture); ``'auto'`` decodes splits of up to
            :data:`DECODE_AUTO_MAX_IMAGES` images. Without decoding, images
            get a structural check (start and end markers) and their size
            is read from the header. Defaults to ``'auto'``.

    Raises:
        InputError: Names every kind of problem found with up to five
            example files each (see :func:`check_data`).
    """
    from mmengine.fileio import list_from_file

    start = time.time()
    split = dataset.ann_file
    lines = list_from_file(split)
    img_ids = [line for line in lines if line.strip()]
    if not img_ids:
        raise InputError(f'Split file {split} ({where}) lists no image ids; '
                         'expected one id per line (e.g. 000005).')
    problems: Dict[str, List[str]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            problems.setdefault('blank line in the split file', []).append(
                f'{split} line {number} (mmdet would read it as the id "" '
                'and look for Annotations/.xml)')
        elif line != line.strip() or len(line.split()) > 1:
            problems.setdefault('spaces in an id', []).append(
                f'{split} line {number}: {line!r} (expected one id without '
                f'spaces; mmdet would look for Annotations/{line}.xml)')
    if decode == 'auto':
        decode = len(img_ids) <= DECODE_AUTO_MAX_IMAGES
    classes = dataset.metainfo['classes']
    unknown: Dict[str, List[str]] = {}
    empty, checked = 0, []
    with _stderr_capture() as decoder_messages:
        for img_id in (i.strip() for i in img_ids):
            img_path = osp.join(dataset.sub_data_root, dataset.img_subdir,
                                f'{img_id}.jpg')
            xml_path = osp.join(dataset.sub_data_root, dataset.ann_subdir,
                                f'{img_id}.xml')
            image_size = None
            if not osp.isfile(img_path):
                problems.setdefault('image missing', []).append(img_path)
            else:
                problem, image_size = _image_problem(img_path, decode,
                                                     decoder_messages)
                if problem:
                    problems.setdefault(problem, []).append(img_path)
            if not osp.isfile(xml_path):
                problems.setdefault('annotation missing', []).append(xml_path)
                continue
            found, num_objects = _xml_problems(xml_path, image_size, classes,
                                               unknown)
            empty += num_objects == 0
            checked.append(img_id)
            for kind, detail in found:
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
    how = ('decoded' if decode else 'checked by their start and end markers '
           '(set data_check = dict(decode_images=True) in the config to '
           'decode them all)')
    print_log(f'mmsnn data check: {where} ({split}): {len(img_ids)} images '
              f'({how}) and annotations OK in {time.time() - start:.1f} s',
              logger='current')
    filter_cfg = dataset.filter_cfg or {}
    if empty and filter_cfg.get('filter_empty_gt') and not dataset.test_mode:
        print_log(f'mmsnn data check: {where}: {empty} of {len(checked)} '
                  'images have no object of the data set\'s classes and are '
                  'dropped from training (filter_cfg.filter_empty_gt=True): '
                  f'{len(checked) - empty} remain.', logger='current',
                  level=logging.WARNING)


@contextlib.contextmanager
def _stderr_capture() -> Iterator[Callable[[], str]]:
    """Send file descriptor 2 to a temporary file; yield a function that
    returns what was written since its last call.

    libjpeg and libpng report damaged data that they still decode (``Corrupt
    JPEG data: 599 extraneous bytes before marker 0xd9``) only as text on
    stderr, which cv2 neither returns nor raises.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        read = [0]

        def take() -> str:
            capture.seek(read[0])
            text = capture.read().decode(errors='replace')
            read[0] += len(text.encode(errors='replace'))
            capture.seek(0, 2)
            return text

        try:
            yield take
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            rest = take()
            if rest:  # anything else written meanwhile: pass it on
                sys.stderr.write(rest)


def _image_problem(path: str, decode: bool,
                   decoder_messages: Callable[[], str]
                   ) -> Tuple[Optional[str], Optional[Tuple[int, int]]]:
    """The problem of one image file, and its ``(width, height)``.

    Structural check first: a JPEG must start with SOI and end with EOI, a
    PNG must end with its IEND chunk (a truncated download lacks them; cv2
    would fill the missing rest of a JPEG with grey). With ``decode``, the
    file is decoded as mmcv's loader does (``cv2.imdecode``, colour), and
    any decoder complaint counts.
    """
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\xff\xd8':
        if b'\xff\xd9' not in data[-1024:]:
            return ('image truncated (JPEG without its end-of-image marker; '
                    're-download or re-encode it)'), None
    elif data[:8] == b'\x89PNG\r\n\x1a\n':
        if b'IEND' not in data[-16:]:
            return ('image truncated (PNG without its IEND chunk; '
                    're-download or re-encode it)'), None
    elif data[:2] != b'BM':  # other formats cv2 reads under a .jpg name
        return (f'not an image (expected a JPEG, file starts with '
                f'{data[:4]!r})'), None
    if not decode:
        from PIL import Image
        try:
            with Image.open(path) as img:
                return None, img.size
        except Exception:  # noqa: BLE001  (PIL's errors vary by format)
            return 'not readable as an image (PIL cannot read its header)', \
                None
    import cv2
    import numpy as np
    decoder_messages()
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    complaint = ' '.join(decoder_messages().split())
    if img is None:
        return ('not decodable (cv2 returns no image' +
                (f': {complaint[:200]}' if complaint else '') + ')'), None
    if complaint:
        return (f'corrupt image data (the decoder said: {complaint[:200]}; '
                're-download or re-encode it)'), None
    return None, (img.shape[1], img.shape[0])


def _xml_problems(xml_path: str, image_size: Optional[Tuple[int, int]],
                  classes: Sequence[str], unknown: Dict[str, List[str]]
                  ) -> Tuple[List[Tuple[str, str]], int]:
    """Problems of one annotation file as ``(kind, detail)`` pairs, and
    the number of its objects of known classes (what mmdet keeps)."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        return [('malformed XML', str(e))], 0
    width, height = image_size or (None, None)
    size = root.find('size')
    if size is not None:
        try:
            width = int(size.find('width').text)
            height = int(size.find('height').text)
        except (AttributeError, TypeError, ValueError):
            width = height = 0
        if width <= 0 or height <= 0:
            return [('bad <size>', 'expected positive integer <width> and '
                     '<height>')], 0
        if image_size and (width, height) != tuple(image_size):
            return [('<size> differs from the image', f'<width> {width} '
                     f'<height> {height}, but the image is {image_size[0]} '
                     f'x {image_size[1]} (boxes would be placed for the wrong '
                     'size)')], 0
    found, num_objects = [], 0
    for i, obj in enumerate(root.findall('object')):
        name = obj.findtext('name')
        if name is None:
            found.append(('object without <name>', f'object {i}'))
            continue
        if name not in classes:
            unknown.setdefault(name, []).append(xml_path)
            continue
        num_objects += 1
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
    return found, num_objects
