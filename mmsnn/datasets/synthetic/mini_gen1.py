"""mini-Gen1: a small synthetic event-camera data set in Gen1's format.

A simulated event camera (:mod:`.event_camera`) watches moving and scaling
objects of Gen1's two classes over a drifting background
(:mod:`.mini_gen1_scene`). Intensity frames are rendered every
:data:`FRAME_US` microseconds. Events are written as real Gen1 ``.dat``
files (header, 8-byte records), boxes (the objects' boxes every
:data:`LABEL_US`; objects with less than half of their box visible, being
behind others, are not labelled then) as ``_bbox.npy`` with Gen1's dtype::

    <out>/{train,val,test}/mini_gen1_<split>_<i>_td.dat
    <out>/{train,val,test}/mini_gen1_<split>_<i>_bbox.npy

Every recording comes from its own seeded generator: the same arguments
give the same bytes. Rewriting a folder first deletes the recordings an
earlier run wrote there (only files named as above), so a smaller size
leaves none of the larger one's behind. It is a smoke-test and demo set,
not Gen1: never report its numbers as Gen1 results.
``tools/misc/make_mini_gen1.py`` writes it.
"""
import json
import os
import os.path as osp
import re
from typing import List, Tuple

import numpy as np

from ..prophesee_io import BOX_DTYPE, write_prophesee_dat
from .event_camera import EventCamera
from .mini_gen1_scene import (HEIGHT, WIDTH, Background, MovingObject,
                              visible_share)

FRAME_US = 2500  # rendering period (400 Hz)
LABEL_US = 50_000  # one labelled frame every 50 ms
FIRST_LABEL_US = 150_000  # after the protocol's skipped first 0.1 s
# Objects with less of their box visible (occluded, off the sensor) are
# not labelled at that time.
MIN_VISIBLE = 0.5
# Recordings per split and their length (s): ~980 / 196 / 196 labels.
SIZES = dict(default=dict(train=10, val=2, test=2, seconds=5.0),
             tiny=dict(train=1, val=1, test=1, seconds=0.4))
SPLITS = ('train', 'val', 'test')
SEED = 0
# Bump when a change to the simulation changes the bytes.
VERSION = 2


def simulate_recording(rng: np.random.Generator,
                       seconds: float) -> Tuple[np.ndarray, np.ndarray]:
    """One recording: ``(events, boxes)`` in Gen1's dtypes."""
    background = Background(rng)
    objects = [MovingObject(rng, int(rng.integers(0, 2)))
               for _ in range(int(rng.integers(1, 5)))]

    def render(t_us: int) -> np.ndarray:
        img = background.render(t_us * 1e-6)
        for obj in objects:
            obj.draw(img)
        return img

    camera = EventCamera(rng, render(0))
    end = int(seconds * 1e6)
    events: List[np.ndarray] = []
    boxes = []
    for t1 in range(FRAME_US, end + 1, FRAME_US):
        for obj in objects:
            obj.step(FRAME_US * 1e-6)
        events.append(camera.frame(render(t1), t1 - FRAME_US, t1))
        if t1 >= FIRST_LABEL_US and (t1 - FIRST_LABEL_US) % LABEL_US == 0:
            for track, obj in enumerate(objects):
                if visible_share(objects, track) >= MIN_VISIBLE:
                    x, y, w, h = obj.box()
                    boxes.append((t1, x, y, w, h, obj.class_id, track, 1.0))
    # Zero-filled first: the aligned dtype's padding bytes are then
    # deterministic too.
    out = np.zeros(len(boxes), BOX_DTYPE)
    for i, name in enumerate(BOX_DTYPE.names):
        out[name] = [row[i] for row in boxes]
    return np.concatenate(events), out


def _marker(size: str, seed: int) -> dict:
    return dict(version=VERSION, size=size, seed=seed)


def is_current(out: str, size: str = 'default', seed: int = SEED) -> bool:
    """Whether ``out`` holds this version's data for these arguments."""
    path = osp.join(out, 'mini_gen1.json')
    if not osp.isfile(path):
        return False
    with open(path) as f:
        return json.load(f) == _marker(size, seed)


def _recording_prefix(split: str) -> str:
    """Recording ``i`` of ``split`` is ``<prefix><i>_td.dat`` (and
    ``_bbox.npy``)."""
    return f'mini_gen1_{split}_'


def remove_old_recordings(folder: str, split: str) -> List[str]:
    """Delete the recordings an earlier run wrote into a split folder.

    Only this generator's files (``mini_gen1_<split>_<i>_td.dat`` and
    ``_bbox.npy``) go: a smaller size would otherwise leave the larger
    run's extra recordings beside the new ones. Anything else stays.

    Args:
        folder (str): The split folder (``<out>/<split>``).
        split (str): Its split name.

    Returns:
        list[str]: The removed file names.
    """
    own = re.compile(re.escape(_recording_prefix(split)) +
                     r'\d+(_td\.dat|_bbox\.npy)$')
    removed = sorted(n for n in os.listdir(folder) if own.match(n))
    for name in removed:
        os.remove(osp.join(folder, name))
    return removed


def make_mini_gen1(out: str, size: str = 'default', seed: int = SEED) -> int:
    """Write the data set, replacing the recordings of an earlier run.

    Args:
        out (str): The data root to write (``<out>/{train,val,test}``).
        size (str): A key of :data:`SIZES`. Defaults to ``'default'``.
        seed (int): Seed of every recording's generator. Defaults to 0.

    Returns:
        int: The number of events written.
    """
    spec = SIZES[size]
    total = 0
    marker = osp.join(out, 'mini_gen1.json')
    if osp.isfile(marker):  # an interrupted rewrite is not current
        os.remove(marker)
    for split_index, split in enumerate(SPLITS):
        folder = osp.join(out, split)
        os.makedirs(folder, exist_ok=True)
        remove_old_recordings(folder, split)
        for i in range(spec[split]):
            rng = np.random.default_rng([seed, split_index, i])
            events, boxes = simulate_recording(rng, spec['seconds'])
            name = osp.join(folder, f'{_recording_prefix(split)}{i}')
            write_prophesee_dat(name + '_td.dat', events, HEIGHT, WIDTH)
            np.save(name + '_bbox.npy', boxes)
            total += len(events)
    with open(marker, 'w') as f:
        json.dump(_marker(size, seed), f)
    return total
