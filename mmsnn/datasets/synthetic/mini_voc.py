"""mini-VOC: a small synthetic detection data set in PASCAL VOC format.

Shapes drawn by :mod:`.mini_voc_drawing`, several per image. The layout is
PASCAL VOC's, so mmdet's stock ``VOCDataset`` reads it (with
``metainfo=dict(classes=CLASSES)``) and ``VOCMetric`` scores it::

    <out>/VOCdevkit/MiniVOC/JPEGImages/<id>.jpg
    <out>/VOCdevkit/MiniVOC/Annotations/<id>.xml
    <out>/VOCdevkit/MiniVOC/ImageSets/Main/{trainval,test}.txt

The year folder is deliberately not ``VOC2007``: ``VOCDataset`` tags any
path containing ``VOC2007``/``VOC2012`` as PASCAL VOC, and ``VOCMetric`` then
prints VOC's class names (aeroplane, bicycle, ...) for these classes.

Annotations follow the VOC guidelines: the box is the tight box of the
object's visible pixels (1-based, inclusive), ``truncated`` marks objects cut
by the border, ``difficult`` those with less than half of their area visible
(VOCMetric ignores them). Every image comes from its own seeded generator,
so the same arguments give the same bytes on every run.

It is a smoke-test and demo set, not PASCAL VOC: never report its numbers
as VOC results. ``tools/misc/make_mini_voc.py`` writes it; a config whose
mini-VOC data root is missing says how (:func:`mini_voc_hint`).
"""
import json
import multiprocessing
import os
import os.path as osp
from typing import Iterator, List, Optional, Tuple

import cv2
import numpy as np
from mmdet.datasets import XMLDataset

from ..data_check.missing_data import register_missing_data_hint
from .mini_voc_drawing import CLASSES, make_image, portable_opencv

SPLITS = ('trainval', 'test')
YEAR_FOLDER = 'MiniVOC'  # VOCdevkit/<YEAR_FOLDER>, as VOC2007 in VOC
# The data set the mini-VOC configs and the main job use.
NUM_TRAINVAL, NUM_TEST, MAX_OBJECTS, SEED = 3000, 200, 6, 0
# Bump when a change to the drawing changes the bytes: the marker file then
# no longer matches and `--if-outdated` rewrites the data. (3: OpenCV's
# optimised kernels off while drawing; rewrite the manifest with
# --write-manifest after any bump.)
GENERATOR_VERSION = 3
MARKER = 'mini_voc.json'  # in VOCdevkit/MiniVOC, written last
#: The tool that writes it, from the root of the mmsnn repository.
MAKE_MINI_VOC = 'tools/misc/make_mini_voc.py'


def voc_xml(img_id: str, h: int, w: int, annotations: List[dict]) -> str:
    """A PASCAL VOC annotation file (1-based inclusive coordinates)."""
    lines = [
        '<annotation>', f'\t<folder>{YEAR_FOLDER}</folder>',
        f'\t<filename>{img_id}.jpg</filename>',
        '\t<source>', '\t\t<database>mmsnn mini-VOC (synthetic)</database>',
        '\t</source>', '\t<size>', f'\t\t<width>{w}</width>',
        f'\t\t<height>{h}</height>', '\t\t<depth>3</depth>', '\t</size>',
        '\t<segmented>0</segmented>'
    ]
    for ann in annotations:
        x1, y1, x2, y2 = ann['bbox']
        lines += [
            '\t<object>', f'\t\t<name>{ann["name"]}</name>',
            '\t\t<pose>Unspecified</pose>',
            f'\t\t<truncated>{ann["truncated"]}</truncated>',
            f'\t\t<difficult>{ann["difficult"]}</difficult>', '\t\t<bndbox>',
            f'\t\t\t<xmin>{x1 + 1}</xmin>', f'\t\t\t<ymin>{y1 + 1}</ymin>',
            f'\t\t\t<xmax>{x2 + 1}</xmax>', f'\t\t\t<ymax>{y2 + 1}</ymax>',
            '\t\t</bndbox>', '\t</object>'
        ]
    lines.append('</annotation>')
    return '\n'.join(lines) + '\n'


def make_mini_voc(out: str,
                  num_trainval: int = NUM_TRAINVAL,
                  num_test: int = NUM_TEST,
                  max_objects: int = MAX_OBJECTS,
                  seed: int = SEED,
                  counts: Optional[dict] = None,
                  workers: int = 1) -> str:
    """Write the data set; returns the ``VOCdevkit`` folder.

    Image ``i`` of split ``s`` is drawn by its own generator seeded with
    ``(seed, s, i)``, so a split's first images do not change when the
    number of images does.

    Args:
        out (str): Output folder.
        num_trainval (int): Number of trainval images (ids 0..n-1).
        num_test (int): Number of test images (ids after trainval's).
        max_objects (int): Most objects per image (>= 2).
        seed (int): Random seed.
        counts (dict, optional): Filled with ``{split: {class: count}}``.
        workers (int): Processes that draw the images (forked; the bytes do
            not depend on it). Defaults to 1 (this process).
    """
    for name, value, low in (('num_trainval', num_trainval, 1),
                             ('num_test', num_test, 1),
                             ('max_objects', max_objects, 2),
                             ('workers', workers, 1)):
        if not isinstance(value, int) or value < low:
            raise ValueError(f'make_mini_voc: {name} must be an integer >= '
                             f'{low}, got {value!r}')
    devkit = osp.join(out, 'VOCdevkit')
    root = osp.join(devkit, YEAR_FOLDER)
    with portable_opencv():
        _write(root, (num_trainval, num_test), max_objects, seed, counts,
               workers)
    with open(osp.join(root, MARKER), 'w') as f:
        json.dump(_marker(num_trainval, num_test, max_objects, seed), f)
    return devkit


def _draw(task: Tuple[int, int, int, int]
          ) -> Tuple[bytes, Tuple[int, int], List[dict]]:
    """One image from its own generator: ``(seed, split index, index in the
    split, max_objects)`` -> its JPEG bytes, ``(h, w)`` and annotations."""
    seed, split_index, i, max_objects = task
    rng = np.random.default_rng([seed, split_index, i])
    img, annotations = make_image(rng, max_objects)
    ok, jpg = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok, (f'make_mini_voc: JPEG encoding of {SPLITS[split_index]} '
                f'image {i} failed')
    return jpg.tobytes(), img.shape[:2], annotations


def _drawn(tasks: List[Tuple[int, int, int, int]], workers: int) -> Iterator:
    """:func:`_draw` of every task, in order, in ``workers`` processes."""
    if workers == 1:
        yield from map(_draw, tasks)
        return
    # Forked: the workers keep this process's OpenCV and numpy settings
    # (baseline kernels), which a spawned interpreter would not have.
    with multiprocessing.get_context('fork').Pool(workers) as pool:
        yield from pool.imap(_draw, tasks, chunksize=8)


def _write(root: str, nums: Tuple[int, int], max_objects: int, seed: int,
           counts: Optional[dict], workers: int) -> None:
    """Draw and write the images, annotations and split lists."""
    # Gone while writing: an interrupted run is never taken as complete.
    if osp.exists(osp.join(root, MARKER)):
        os.remove(osp.join(root, MARKER))
    for sub in ('JPEGImages', 'Annotations', osp.join('ImageSets', 'Main')):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    first = 0
    for split_index, (split, num) in enumerate(zip(SPLITS, nums)):
        ids = [f'{first + i:06d}' for i in range(num)]
        split_counts = dict.fromkeys(CLASSES, 0)
        tasks = [(seed, split_index, i, max_objects) for i in range(num)]
        for img_id, (jpg, (h, w), annotations) in zip(
                ids, _drawn(tasks, workers)):
            with open(osp.join(root, 'JPEGImages', f'{img_id}.jpg'),
                      'wb') as f:
                f.write(jpg)
            with open(osp.join(root, 'Annotations', f'{img_id}.xml'),
                      'w') as f:
                f.write(voc_xml(img_id, h, w, annotations))
            for ann in annotations:
                split_counts[ann['name']] += 1
        first += num
        with open(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'),
                  'w') as f:
            f.write('\n'.join(ids) + '\n')
        if counts is not None:
            counts[split] = split_counts


def _marker(num_trainval: int, num_test: int, max_objects: int,
            seed: int) -> dict:
    """What the marker file records: the generator version and arguments."""
    return dict(
        generator_version=GENERATOR_VERSION,
        num_trainval=num_trainval,
        num_test=num_test,
        max_objects=max_objects,
        seed=seed)


def is_current(out: str,
               num_trainval: int = NUM_TRAINVAL,
               num_test: int = NUM_TEST,
               max_objects: int = MAX_OBJECTS,
               seed: int = SEED) -> bool:
    """Whether ``out`` holds a complete data set that :func:`make_mini_voc`
    with these arguments and this generator version wrote."""
    marker = osp.join(out, 'VOCdevkit', YEAR_FOLDER, MARKER)
    try:
        with open(marker) as f:
            return json.load(f) == _marker(num_trainval, num_test,
                                           max_objects, seed)
    except (OSError, ValueError):
        return False


@register_missing_data_hint(XMLDataset)
def mini_voc_hint(dataset: XMLDataset, root: str) -> Optional[str]:
    """What a missing mini-VOC data root needs: the data are generated,
    not downloaded.

    A VOC-style data set is mini-VOC when its split file lies in the year
    folder this generator writes (:data:`YEAR_FOLDER`). The command names
    the generator as run from the repository root: in it as is, from
    elsewhere with the output folder made absolute.

    Args:
        dataset (XMLDataset): The data set, built with ``lazy_init=True``.
        root (str): Its (missing) ``data_root``.

    Returns:
        str or None: Sentences ending with a full stop; None for another
        VOC-style data set.
    """
    if YEAR_FOLDER not in str(dataset.ann_file).split(osp.sep):
        return None
    root_dir = root.rstrip('/')
    out = (osp.dirname(root_dir) if osp.basename(root_dir) == 'VOCdevkit'
           else root) or '.'
    if osp.isfile(MAKE_MINI_VOC):  # run from the repository root
        command = f'python {MAKE_MINI_VOC} --out {out}'
    else:
        command = (f'python {MAKE_MINI_VOC} --out {osp.abspath(out)} from '
                   'the root of the mmsnn repository')
    return (
        f'it should hold {dataset.ann_file}, the bundled synthetic '
        f'mini-VOC, which is generated, not downloaded: {command} (the main '
        'job, tools/run_main_job.sh, does this).')
