"""Write mini-VOC: a small synthetic detection data set in PASCAL VOC format.

Procedurally drawn filled shapes (:data:`CLASSES`) on cluttered backgrounds
(smooth colour fields, noise, lines, hollow outlines and blobs that are not
objects), several per image, of varied sizes, some overlapping and some cut
by the image border. The layout is PASCAL VOC's, so mmdet's stock
``VOCDataset`` reads it (with ``metainfo=dict(classes=CLASSES)``) and
``VOCMetric`` scores it::

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
as VOC results.

The bytes are pinned: ``mini_voc_manifest.sha256`` beside this script holds
the sha256 of every file the default arguments write (``sha256sum -c``
format, paths relative to ``VOCdevkit/MiniVOC``), and ``--verify`` checks
the data against it. Drawing avoids CPU-dependent code paths, which were
seen to change the JPEG bytes: OpenCV's optimised (SIMD and IPP) kernels
are off while drawing, and numpy's AVX-512 kernels are off when this runs
as a script (they must be disabled before numpy is imported), so every
x86-64 machine with AVX2 draws what the machine that wrote the manifest did.

Example:
    python tools/misc/make_mini_voc.py --out data/mini_voc
    # the main job: write it unless this version already wrote it there,
    # then check its bytes against the shipped manifest
    python tools/misc/make_mini_voc.py --out data/mini_voc --if-outdated \
        --verify
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import os.path as osp
import platform
import sys
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple

if platform.machine() in ('x86_64', 'AMD64'):
    # numpy's AVX-512 loops (sin, cos, exp, reductions) round differently
    # from its AVX2 ones; read once, when numpy is imported.
    os.environ.setdefault(
        'NPY_DISABLE_CPU_FEATURES',
        'AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL '
        'AVX512_SPR')

import cv2  # noqa: E402
import numpy as np  # noqa: E402

CLASSES = ('circle', 'square', 'triangle', 'star')
PALETTE = [(220, 20, 60), (0, 130, 255), (0, 180, 0), (255, 170, 0)]
SPLITS = ('trainval', 'test')
YEAR_FOLDER = 'MiniVOC'  # VOCdevkit/<YEAR_FOLDER>, as VOC2007 in VOC
IMAGE_SIDES = (160, 176, 192, 208, 224)
# Objects' longer side in pixels, drawn log-uniformly.
MIN_OBJECT_SIZE, MAX_OBJECT_SIZE = 14, 80
# Placements hiding more of an object than this are redrawn; objects with
# less than DIFFICULT_VISIBLE of their area visible are marked difficult.
MIN_VISIBLE, DIFFICULT_VISIBLE = 0.3, 0.5
# Share of objects placed anywhere near the border (the rest fit inside).
NEAR_BORDER = 0.3
AA_SHIFT = 4  # sub-pixel bits for cv2's polygon filling
# Least sum of |BGR difference| between an object and the background it
# covers (on average; parts of it may still match the background).
MIN_CONTRAST = 200
# The data set the mini-VOC configs and the main job use.
NUM_TRAINVAL, NUM_TEST, MAX_OBJECTS, SEED = 3000, 200, 6, 0
# Bump when a change to the drawing changes the bytes: the marker file then
# no longer matches and `--if-outdated` rewrites the data. (3: OpenCV's
# optimised kernels off while drawing; rewrite the manifest with
# --write-manifest after any bump.)
GENERATOR_VERSION = 3
MARKER = 'mini_voc.json'  # in VOCdevkit/MiniVOC, written last
MANIFEST = osp.join(osp.dirname(osp.abspath(__file__)),
                    'mini_voc_manifest.sha256')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Write the synthetic mini-VOC data set (VOC format).')
    parser.add_argument(
        '--out', default='data/mini_voc',
        help='output folder; VOCdevkit/MiniVOC is written inside it')
    parser.add_argument(
        '--num-trainval', type=int, default=NUM_TRAINVAL,
        help='number of trainval images')
    parser.add_argument(
        '--num-test', type=int, default=NUM_TEST,
        help='number of test images')
    parser.add_argument(
        '--max-objects', type=int, default=MAX_OBJECTS,
        help='most objects per image (at least 2)')
    parser.add_argument(
        '--seed', type=int, default=SEED, help='random seed')
    parser.add_argument(
        '--workers', type=int, default=os.cpu_count() or 1,
        help='processes that draw images (default: one per CPU core); the '
        'bytes do not depend on it')
    parser.add_argument(
        '--if-outdated',
        action='store_true',
        help='do nothing when --out already holds a complete data set '
        'written by this version of the generator with these arguments')
    parser.add_argument(
        '--verify',
        nargs='?',
        const=MANIFEST,
        metavar='MANIFEST',
        help='then check every file against a sha256 manifest (default: '
        'the shipped one, for the default arguments); exit 1 on a '
        'difference')
    parser.add_argument(
        '--write-manifest',
        metavar='MANIFEST',
        help='then write the sha256 manifest of the data to this file')
    return parser.parse_args()


@contextmanager
def _portable_opencv():
    """OpenCV's baseline code inside the block: its SIMD-dispatched and IPP
    kernels pick code paths by CPU, and their results differ in the last
    bits (the JPEGs of the same drawing did, AVX2 against baseline)."""
    optimized = cv2.useOptimized()
    cv2.setUseOptimized(False)
    try:
        yield
    finally:
        cv2.setUseOptimized(optimized)


def _smooth_field(rng: np.random.Generator, h: int, w: int,
                  cells: int) -> np.ndarray:
    """A smooth random colour field, ``[h, w, 3]`` float in [0, 255]."""
    grid = rng.uniform(0, 255, size=(cells, cells, 3)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 255)


def draw_background(rng: np.random.Generator, h: int,
                    w: int) -> np.ndarray:
    """Clutter: colour fields, noise, lines, hollow outlines and blobs.

    Returns:
        np.ndarray: ``[h, w, 3]`` float32 BGR image.
    """
    img = _smooth_field(rng, h, w, int(rng.integers(2, 7)))
    img = 0.6 * img + 0.4 * _smooth_field(rng, h, w, int(rng.integers(8, 20)))
    # Half the colour fields' saturation: objects stand out by colour, so
    # a background as colourful as they are hides the small ones entirely.
    img = 0.5 * img + 0.5 * img.mean(axis=2, keepdims=True)
    for _ in range(int(rng.integers(2, 8))):  # lines and polylines
        pts = rng.integers(-20, max(h, w) + 20, size=(int(rng.integers(2, 5)),
                                                      2)).astype(np.int32)
        cv2.polylines(img, [pts], False, _random_color(rng),
                      int(rng.integers(1, 3)), cv2.LINE_AA)
    for _ in range(int(rng.integers(1, 4))):  # hollow ellipses and arcs
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(6, 40)), int(rng.integers(6, 40)))
        start = float(rng.uniform(0, 360))
        cv2.ellipse(img, center, axes, float(rng.uniform(0, 180)), start,
                    start + float(rng.uniform(90, 360)), _random_color(rng),
                    int(rng.integers(1, 3)), cv2.LINE_AA)
    for _ in range(int(rng.integers(5, 25))):  # blobs smaller than objects
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.circle(img, center, int(rng.integers(1, 5)), _random_color(rng),
                   -1, cv2.LINE_AA)
    return img


def _random_color(rng: np.random.Generator) -> Tuple[float, float, float]:
    return tuple(float(c) for c in rng.uniform(0, 255, size=3))


def shape_polygon(rng: np.random.Generator, cls: str, size: float,
                  center: Tuple[float, float]) -> np.ndarray:
    """Outline of one object, ``[N, 2]`` float (x, y) in pixels.

    Args:
        cls (str): One of :data:`CLASSES`.
        size (float): Longer side of the shape before rotation.
        center (tuple[float]): Centre (x, y).
    """
    aspect = float(rng.uniform(0.75, 1.33))  # width / height
    half_w, half_h = (size / 2, size / 2 / aspect) if aspect >= 1 else (
        size / 2 * aspect, size / 2)
    if cls == 'circle':
        angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        pts = np.stack([np.cos(angles), np.sin(angles)], 1)
        rotation = 0.
    elif cls == 'square':
        pts = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64)
        rotation = float(rng.uniform(-20, 20))
    elif cls == 'triangle':
        apex = float(rng.uniform(-0.6, 0.6))
        pts = np.array([[apex, -1], [1, 1], [-1, 1]], np.float64)
        rotation = float(rng.choice([0., 180.])) + float(rng.uniform(-15, 15))
    elif cls == 'star':
        angles = np.linspace(0, 2 * np.pi, 10, endpoint=False) - np.pi / 2
        radii = np.where(np.arange(10) % 2 == 0, 1.,
                         float(rng.uniform(0.38, 0.55)))
        pts = np.stack([np.cos(angles) * radii, np.sin(angles) * radii], 1)
        rotation = float(rng.uniform(-36, 36))
    else:
        raise ValueError(f'shape_polygon: unknown class {cls!r}, expected '
                         f'one of {CLASSES}')
    pts = pts * [half_w, half_h]
    theta = np.deg2rad(rotation)
    rot = np.array([[np.cos(theta), -np.sin(theta)],
                    [np.sin(theta), np.cos(theta)]])
    return pts @ rot.T + center


def fill_alpha(poly: np.ndarray, h: int, w: int) -> np.ndarray:
    """Anti-aliased coverage of a polygon, ``[h, w]`` float in [0, 1]."""
    mask = np.zeros((h, w), np.uint8)
    pts = np.round(poly * (1 << AA_SHIFT)).astype(np.int32)
    cv2.fillPoly(mask, [pts], 255, cv2.LINE_AA, shift=AA_SHIFT)
    return mask.astype(np.float32) / 255


def make_image(rng: np.random.Generator, max_objects: int):
    """Draw one image and its objects.

    Returns:
        tuple: ``uint8 [h, w, 3]`` BGR image and a list of objects, each a
        dict with ``name``, ``bbox`` (x1, y1, x2, y2, 0-based inclusive
        pixel indices), ``truncated`` and ``difficult``.
    """
    h, w = (int(rng.choice(IMAGE_SIDES)) for _ in range(2))
    img = draw_background(rng, h, w)
    objects = []  # dicts with 'name', 'full' (area) and 'visible' (mask)
    num = int(rng.integers(2, max_objects + 1))
    for _ in range(num):
        for _attempt in range(20):
            cls = CLASSES[int(rng.integers(len(CLASSES)))]
            size = float(np.exp(rng.uniform(np.log(MIN_OBJECT_SIZE),
                                            np.log(MAX_OBJECT_SIZE))))
            # Most objects lie inside; the rest may be cut by the border.
            margin = 0.25 * size if rng.random() < NEAR_BORDER else -size / 2
            center = (float(rng.uniform(-margin, w + margin)),
                      float(rng.uniform(-margin, h + margin)))
            poly = shape_polygon(rng, cls, size, center)
            # The full (unclipped) area, to measure truncation by.
            full_area = float(cv2.contourArea(poly.astype(np.float32)))
            alpha = fill_alpha(poly, h, w)
            mask = alpha > 0.5
            if mask.sum() < MIN_VISIBLE * full_area:
                continue  # mostly outside the image
            # Keep earlier objects recognisable: redraw placements that
            # would hide too much of one.
            if any(((o['visible'] & ~mask).sum() < MIN_VISIBLE * o['full'])
                   for o in objects):
                continue
            break
        else:
            continue
        color = _object_color(rng, img, mask)
        # Lighting: a linear brightness ramp across the object.
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        direction = rng.normal(size=2)
        direction /= np.linalg.norm(direction) + 1e-6
        ramp = 1 + 0.25 * ((xx - center[0]) * direction[0] +
                           (yy - center[1]) * direction[1]) / (size / 2)
        fill = np.clip(ramp[..., None] * np.array(color, np.float32), 0, 255)
        img = img * (1 - alpha[..., None]) + fill * alpha[..., None]
        for o in objects:
            o['visible'] &= ~mask
        objects.append(dict(name=cls, full=full_area, visible=mask))
    img = img + rng.normal(0, float(rng.uniform(2, 8)), size=img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)

    annotations = []
    for o in objects:
        ys, xs = np.nonzero(o['visible'])
        x1, y1, x2, y2 = int(xs.min()), int(ys.min()), int(xs.max()), int(
            ys.max())
        truncated = int(x1 == 0 or y1 == 0 or x2 == w - 1 or y2 == h - 1)
        difficult = int(len(xs) < DIFFICULT_VISIBLE * o['full'])
        annotations.append(dict(name=o['name'], bbox=(x1, y1, x2, y2),
                                truncated=truncated, difficult=difficult))
    return img, annotations


def _object_color(rng: np.random.Generator, img: np.ndarray,
                  mask: np.ndarray) -> Tuple[float, float, float]:
    """A colour that stands out from the background under ``mask``."""
    below = img[mask].mean(0)
    for _ in range(50):
        color = np.array(_random_color(rng))
        if np.abs(color - below).sum() > MIN_CONTRAST:
            break
    return tuple(float(c) for c in color)


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
    with _portable_opencv():
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


def file_digests(root: str) -> Dict[str, str]:
    """sha256 (hex) of every file under ``root``, keyed by its path relative
    to ``root`` ('/'-separated)."""
    digests = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            digests[osp.relpath(path, root).replace(os.sep, '/')] = digest
    return digests


def write_manifest(root: str, manifest: str) -> None:
    """Write ``root``'s :func:`file_digests` as a ``sha256sum`` file."""
    with open(manifest, 'w') as f:
        for path, digest in sorted(file_digests(root).items()):
            f.write(f'{digest}  {path}\n')


def verify_manifest(root: str, manifest: str) -> List[str]:
    """Compare the files under ``root`` with a ``sha256sum`` manifest.

    Returns:
        list[str]: One line per file that differs, is missing or is not in
        the manifest (``'changed: JPEGImages/000003.jpg'``); empty when all
        bytes agree.
    """
    with open(manifest) as f:
        expected = dict(
            reversed(line.rstrip('\n').split('  ', 1)) for line in f
            if line.strip())
    found = file_digests(root)
    problems = [f'changed: {p}' for p in sorted(expected)
                if p in found and found[p] != expected[p]]
    problems += [f'missing: {p}' for p in sorted(set(expected) - set(found))]
    problems += [f'not in the manifest: {p}'
                 for p in sorted(set(found) - set(expected))]
    return problems


def main():
    args = parse_args()
    data_args = (args.num_trainval, args.num_test, args.max_objects,
                 args.seed)
    devkit = osp.join(args.out, 'VOCdevkit')
    if args.if_outdated and is_current(args.out, *data_args):
        print(f'mini-VOC in {args.out} is up to date (generator version '
              f'{GENERATOR_VERSION}); nothing written')
    else:
        counts = {}
        make_mini_voc(args.out, *data_args, counts, args.workers)
        for split, split_counts in counts.items():
            print(f'{split}: ' + ', '.join(f'{k} {v}'
                                           for k, v in split_counts.items()))
        print(f'mini-VOC written to {devkit}')
    root = osp.join(devkit, YEAR_FOLDER)
    if args.write_manifest:
        write_manifest(root, args.write_manifest)
        print(f'manifest of {root} written to {args.write_manifest}')
    if args.verify:
        problems = verify_manifest(root, args.verify)
        if problems:
            shown = '; '.join(problems[:5]) + (
                f' and {len(problems) - 5} more' if len(problems) > 5 else '')
            print(
                f'make_mini_voc: {len(problems)} files in {root} differ from '
                f'the manifest {args.verify} ({shown}). This machine '
                f'(numpy {np.__version__}, opencv {cv2.__version__}, '
                f'{platform.machine()}) drew other bytes than the machine '
                'that wrote the manifest, so mAPs trained on this data are '
                'not comparable with the published ones; expected are the '
                'pinned versions (requirements/runtime.txt) on an x86-64 CPU.',
                file=sys.stderr)
            sys.exit(1)
        print(f'mini-VOC in {root} matches {args.verify} byte for byte')


if __name__ == '__main__':
    main()
