"""Check a VOC-style (XML) split: its ids, images and annotations."""
import logging
import os.path as osp
import time
import warnings
import xml.etree.ElementTree as ET
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.fileio import list_from_file
from mmengine.logging import print_log

from ...utils.input_error import InputError
from ...utils.stderr_capture import stderr_capture
from .exif_orientation import (ImageLoader, exif_orientation,
                               loader_applies_orientation, orientation_problem,
                               oriented_size)
from .image_check import image_problem

# How many examples of one kind of problem a message lists.
_MAX_EXAMPLES = 5
#: ``data_check = dict(decode_images='auto')`` decodes every image of splits
#: up to this size (mini-VOC, VOC07 test: seconds); larger ones get the
#: structural check unless the config says ``decode_images=True``.
DECODE_AUTO_MAX_IMAGES = 5000


def check_xml_dataset(dataset,
                      where: str,
                      decode='auto',
                      loader: Optional[ImageLoader] = None,
                      annotated_frame: Optional[str] = None) -> None:
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
        loader (ImageLoader, optional): How the data set's pipeline decodes
            images (:func:`~.exif_orientation.image_loader`): images with an
            EXIF orientation are checked against the frame it produces
            (:func:`~.exif_orientation.orientation_problem`). None (no image
            loader in the pipeline) skips that check.
        annotated_frame (str, optional): ``data_check.annotated_frame`` of
            the config: ``'oriented'`` or ``'stored'``, the frame the boxes
            of photos with an EXIF orientation were drawn in where their
            ``<size>`` cannot tell. Defaults to None (not said: such photos
            are refused where the loader turns them).

    Raises:
        InputError: Names every kind of problem found with up to five
            example files each (see :func:`~mmsnn.datasets.check_data`).
    """
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
    with stderr_capture() as decoder_messages:
        for img_id in (i.strip() for i in img_ids):
            img_path = osp.join(dataset.sub_data_root, dataset.img_subdir,
                                f'{img_id}.jpg')
            xml_path = osp.join(dataset.sub_data_root, dataset.ann_subdir,
                                f'{img_id}.xml')
            image_size, frame_problem = None, None
            if not osp.isfile(img_path):
                problems.setdefault('image missing', []).append(img_path)
            else:
                problem, image_size = image_problem(img_path, decode,
                                                    decoder_messages)
                if problem:
                    problems.setdefault(problem, []).append(img_path)
                if image_size and loader:
                    image_size, frame_problem = _loaded_frame(
                        img_path, image_size, loader, annotated_frame)
            if not osp.isfile(xml_path):
                problems.setdefault('annotation missing', []).append(xml_path)
                continue
            found, num_objects = _xml_problems(xml_path, image_size, classes,
                                               unknown, frame_problem)
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
    _check_objects_left(dataset, where, empty, len(checked), unknown)
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


def _check_objects_left(dataset, where: str, empty: int, checked: int,
                        unknown: Dict[str, List[str]]) -> None:
    """Refuse a split that mmdet would leave without anything to learn or
    evaluate: no object of the data set's classes anywhere (every object of
    another class), or, in training with ``filter_empty_gt``, no image with
    an object (mmengine would fail with ``need at least one array to
    concatenate``)."""
    if not checked or empty < checked:
        return
    split, classes = dataset.ann_file, tuple(dataset.metainfo['classes'])
    filter_cfg = dataset.filter_cfg or {}
    drops = filter_cfg.get('filter_empty_gt') and not dataset.test_mode
    if unknown:
        found = ', '.join(f'{name!r} ({len(files)})'
                          for name, files in sorted(
                              unknown.items(), key=lambda kv: -len(kv[1])))
        raise InputError(
            f'None of the objects of {where} (split {split}, {checked} '
            f'images) is of the data set\'s classes {classes}: it holds '
            f'objects of the classes {found} (number of objects). mmdet '
            'skips objects of other classes, so '
            + ('no image would be left to train on' if drops else
               'nothing would be learned or evaluated') +
            '. Set metainfo=dict(classes=(...)) on the data set (and the '
            "model's num_classes) to your data's classes, or point the "
            'config at the data it was written for.')
    if drops:
        raise InputError(
            f'None of the {checked} images of {where} (split {split}) has '
            'an object, and filter_cfg.filter_empty_gt=True drops images '
            'without objects from training: nothing would be left to train '
            'on. Check the <object> entries of its annotations.')


def _loaded_frame(img_path: str, size: Tuple[int, int], loader: ImageLoader,
                  annotated_frame: Optional[str]
                  ) -> Tuple[Tuple[int, int], Optional[Callable]]:
    """``(width, height)`` of an image as the loader gives it, and, for a
    photo with an EXIF orientation, the check of its annotation's
    ``<size>`` (:func:`~.exif_orientation.orientation_problem`)."""
    orientation, image_format = exif_orientation(img_path)
    if orientation == 1:
        return size, None
    applied = loader_applies_orientation(image_format, loader.color_type,
                                         loader.backend)
    return (oriented_size(size, orientation) if applied else size,
            partial(orientation_problem, img_path, size,
                    orientation=orientation,
                    applied=applied, loader=loader,
                    annotated_frame=annotated_frame))


def _xml_problems(xml_path: str,
                  image_size: Optional[Tuple[int, int]],
                  classes: Sequence[str],
                  unknown: Dict[str, List[str]],
                  frame_problem: Optional[Callable] = None
                  ) -> Tuple[List[Tuple[str, str]], int]:
    """Problems of one annotation file as ``(kind, detail)`` pairs, and
    the number of its objects of known classes (what mmdet keeps).
    ``image_size`` is the image as the loader gives it; ``frame_problem``
    checks the ``<size>`` (None without one) of a photo with an EXIF
    orientation."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        return [('malformed XML', str(e))], 0
    width, height = image_size or (None, None)
    size = root.find('size')
    if size is None and frame_problem:
        frame = frame_problem(None)
        if frame:
            return [frame], 0
    if size is not None:
        try:
            width = int(size.find('width').text)
            height = int(size.find('height').text)
        except (AttributeError, TypeError, ValueError):
            width = height = 0
        if width <= 0 or height <= 0:
            return [('bad <size>', 'expected positive integer <width> and '
                     '<height>')], 0
        frame = frame_problem and frame_problem((width, height))
        if frame:
            return [frame], 0
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
