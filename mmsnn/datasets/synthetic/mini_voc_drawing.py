"""Drawing of mini-VOC's images: procedurally drawn filled shapes
(:data:`CLASSES`) on cluttered backgrounds (smooth colour fields, noise,
lines, hollow outlines and blobs that are not objects), several per image, of
varied sizes, some overlapping and some cut by the image border.

Every value here shapes the bytes :mod:`.mini_voc` writes (pinned by
``tools/misc/mini_voc_manifest.sha256``): a change of the drawing needs a new
``GENERATOR_VERSION`` there and a new manifest. Drawing avoids CPU-dependent
code paths, which were seen to change the JPEG bytes: OpenCV's optimised
(SIMD and IPP) kernels are off inside :func:`portable_opencv`, and numpy's
AVX-512 kernels must be off before numpy is imported
(``tools/misc/make_mini_voc.py`` sets ``NPY_DISABLE_CPU_FEATURES``).
"""
from contextlib import contextmanager
from typing import Tuple

import cv2
import numpy as np

#: The shapes drawn, which are the data set's classes.
CLASSES = ('circle', 'square', 'triangle', 'star')
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


@contextmanager
def portable_opencv():
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
