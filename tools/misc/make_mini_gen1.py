"""Write mini-Gen1: a small synthetic event-camera data set in Gen1's format.

A simulated event camera watches moving and scaling objects of Gen1's two
classes (``car``: wide rounded boxes with a window band; ``pedestrian``:
tall bodies with a head) over a textured background that drifts slowly.
Intensity frames are rendered every ``FRAME_US`` microseconds; a pixel emits
an event whenever its log intensity has moved by more than the contrast
threshold ``CONTRAST`` since its last event (ON when it rose, OFF when it
fell; several crossings in one frame give several events, timed by linear
interpolation), not within ``REFRACTORY_US`` of its previous event, plus
uniformly random noise events (``NOISE_HZ`` per pixel). Events are written
as real Gen1 ``.dat`` files (header, 8-byte records), boxes (the objects'
boxes every ``LABEL_US``; objects with less than half of their box visible,
being behind others, are not labelled then) as ``_bbox.npy`` with Gen1's
dtype::

    <out>/{train,val,test}/mini_gen1_<split>_<i>_td.dat
    <out>/{train,val,test}/mini_gen1_<split>_<i>_bbox.npy

Every recording comes from its own seeded generator: the same arguments
give the same bytes. Rewriting a folder first deletes the recordings an
earlier run wrote there (only files named as above), so a smaller size
leaves none of the larger one's behind. It is a smoke-test and demo set,
not Gen1: never report its numbers as Gen1 results.

Example:
    python tools/misc/make_mini_gen1.py --out data/mini_gen1
    python tools/misc/make_mini_gen1.py --out data/mini_gen1 --if-outdated
"""
import argparse
import json
import os
import os.path as osp
import re
import sys
from typing import List, Tuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
from mmsnn.datasets.prophesee_io import (BOX_DTYPE, EVENT_DTYPE,  # noqa: E402
                                         write_prophesee_dat)

HEIGHT, WIDTH = 240, 304  # Gen1's sensor
FRAME_US = 2500  # rendering period (400 Hz)
LABEL_US = 50_000  # one labelled frame every 50 ms
FIRST_LABEL_US = 150_000  # after the protocol's skipped first 0.1 s
CONTRAST = 0.2  # log-intensity threshold
REFRACTORY_US = 1000
NOISE_HZ = 0.1  # noise events per pixel per second
MAX_CROSSINGS = 4  # events a pixel may fire within one frame
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/mini_gen1')
    parser.add_argument('--size', choices=sorted(SIZES), default='default')
    parser.add_argument('--seed', type=int, default=SEED)
    parser.add_argument('--if-outdated', action='store_true',
                        help='do nothing if this version already wrote it')
    return parser.parse_args()


def _smooth_noise(rng: np.random.Generator, h: int, w: int,
                  cell: int) -> np.ndarray:
    """Value noise: a coarse random grid upsampled bilinearly, in [0, 1]."""
    gh, gw = h // cell + 2, w // cell + 2
    grid = rng.random((gh, gw))
    y, x = np.arange(h) / cell, np.arange(w) / cell
    y0, x0 = y.astype(int), x.astype(int)
    fy, fx = (y - y0)[:, None], (x - x0)[None, :]
    g = grid
    return ((1 - fy) * ((1 - fx) * g[y0][:, x0] + fx * g[y0][:, x0 + 1]) +
            fy * ((1 - fx) * g[y0 + 1][:, x0] + fx * g[y0 + 1][:, x0 + 1]))


class Background:
    """A texture larger than the sensor, drifting at a slow velocity."""

    def __init__(self, rng: np.random.Generator, margin: int = 40) -> None:
        h, w = HEIGHT + 2 * margin, WIDTH + 2 * margin
        tex = 0.6 * _smooth_noise(rng, h, w, 24) + \
            0.4 * _smooth_noise(rng, h, w, 8)
        self.tex = (0.35 + 0.3 * tex).astype(np.float32)
        self.margin = margin
        angle = rng.uniform(0, 2 * np.pi)
        speed = rng.uniform(2., 6.)  # px / s
        self.velocity = speed * np.array([np.cos(angle), np.sin(angle)])

    def render(self, t_s: float) -> np.ndarray:
        ox, oy = self.margin + self.velocity * t_s
        ox = float(np.clip(ox, 0, 2 * self.margin - 1.001))
        oy = float(np.clip(oy, 0, 2 * self.margin - 1.001))
        ix, iy = int(ox), int(oy)
        fx, fy = ox - ix, oy - iy
        t = self.tex
        a = t[iy:iy + HEIGHT, ix:ix + WIDTH]
        b = t[iy:iy + HEIGHT, ix + 1:ix + 1 + WIDTH]
        c = t[iy + 1:iy + 1 + HEIGHT, ix:ix + WIDTH]
        d = t[iy + 1:iy + 1 + HEIGHT, ix + 1:ix + 1 + WIDTH]
        return ((1 - fy) * ((1 - fx) * a + fx * b) + fy *
                ((1 - fx) * c + fx * d)).astype(np.float32)


class MovingObject:
    """A car (0) or pedestrian (1) that moves, bounces and scales."""

    def __init__(self, rng: np.random.Generator, class_id: int) -> None:
        self.class_id = class_id
        if class_id == 0:
            self.w0 = rng.uniform(40, 100)
            self.h0 = self.w0 / rng.uniform(1.6, 2.4)
        else:
            self.h0 = rng.uniform(34, 90)
            self.w0 = self.h0 / rng.uniform(2.0, 2.6)
        self.pos = np.array([rng.uniform(60, WIDTH - 60),
                             rng.uniform(50, HEIGHT - 50)])
        angle = rng.uniform(0, 2 * np.pi)
        speed = rng.uniform(25, 80)
        self.velocity = speed * np.array([np.cos(angle), np.sin(angle)])
        self.growth = rng.uniform(-0.25, 0.25)  # log-scale per second
        self.scale = 1.0
        dark = rng.random() < 0.5
        self.level = rng.uniform(0.08, 0.2) if dark else rng.uniform(0.8, 0.95)
        self.band = self.level * (2.2 if dark else 0.45)  # windows / clothes

    def step(self, dt_s: float) -> None:
        self.scale *= np.exp(self.growth * dt_s)
        if not 0.6 <= self.scale <= 1.5:
            self.growth = -self.growth
            self.scale = float(np.clip(self.scale, 0.6, 1.5))
        self.pos = self.pos + self.velocity * dt_s
        half = np.array([self.w0, self.h0]) * self.scale / 2
        for i, size in enumerate((WIDTH, HEIGHT)):
            lo, hi = half[i], size - half[i]
            if self.pos[i] < lo or self.pos[i] > hi:
                self.velocity[i] = -self.velocity[i]
                self.pos[i] = np.clip(self.pos[i], lo, hi)

    def box(self) -> Tuple[float, float, float, float]:
        """``(x, y, w, h)``, top-left corner, in sensor pixels."""
        w, h = self.w0 * self.scale, self.h0 * self.scale
        return (self.pos[0] - w / 2, self.pos[1] - h / 2, w, h)

    def draw(self, img: np.ndarray) -> None:
        """Composite the object into ``img`` with 1.5 px soft edges."""
        x, y, w, h = self.box()
        x0, y0 = max(int(x) - 2, 0), max(int(y) - 2, 0)
        x1, y1 = min(int(x + w) + 3, WIDTH), min(int(y + h) + 3, HEIGHT)
        if x1 <= x0 or y1 <= y0:
            return
        py, px = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
        u, v = px - (x + w / 2), py - (y + h / 2)  # from the centre
        soft = 1.5
        if self.class_id == 0:  # rounded box, a band of windows on top
            r = 0.25 * h
            qx = np.abs(u) - (w / 2 - r)
            qy = np.abs(v) - (h / 2 - r)
            dist = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + \
                np.minimum(np.maximum(qx, qy), 0) - r
            inner = (np.abs(u) < 0.35 * w) & (v > -0.35 * h) & (v < -0.05 * h)
        else:  # body ellipse below a round head
            head_r = 0.13 * h
            body = np.hypot(u / (w / 2), (v - 0.13 * h) / (0.37 * h))
            dist_body = (body - 1) * min(w / 2, 0.37 * h)
            dist_head = np.hypot(u, v + 0.37 * h) - head_r
            dist = np.minimum(dist_body, dist_head)
            inner = (v > 0.05 * h) & (v < 0.2 * h)
        alpha = np.clip(0.5 - dist / soft, 0, 1)
        color = np.where(inner, self.band, self.level).astype(np.float32)
        patch = img[y0:y1, x0:x1]
        img[y0:y1, x0:x1] = patch * (1 - alpha) + color * alpha


class EventCamera:
    """Per-pixel log-intensity contrast events with refractory time."""

    def __init__(self, rng: np.random.Generator,
                 first_frame: np.ndarray) -> None:
        self.rng = rng
        self.ref = np.log(first_frame + 1e-3).ravel()
        self.last_t = np.full(self.ref.size, -10**9, np.int64)

    def frame(self, img: np.ndarray, t0: int, t1: int) -> np.ndarray:
        """Events of the interval ``(t0, t1]`` from the frame at ``t1``."""
        log_i = np.log(img + 1e-3).ravel()
        diff = log_i - self.ref
        n = np.minimum(np.floor(np.abs(diff) / CONTRAST), MAX_CROSSINGS)
        idx = np.flatnonzero(n >= 1)
        chunks = []
        if len(idx):
            d, cnt = diff[idx], n[idx]
            sign = np.sign(d)
            for k in range(1, MAX_CROSSINGS + 1):
                sel = cnt >= k
                if not sel.any():
                    break
                pix = idx[sel]
                t = t0 + np.ceil((t1 - t0) * k * CONTRAST /
                                 np.abs(d[sel])).astype(np.int64)
                t = np.minimum(t, t1)
                ok = t - self.last_t[pix] >= REFRACTORY_US
                pix, t = pix[ok], t[ok]
                self.last_t[pix] = t
                self.ref[pix] += sign[sel][ok] * CONTRAST
                chunks.append((t, pix, (sign[sel][ok] > 0)))
        n_noise = self.rng.poisson(NOISE_HZ * img.size * (t1 - t0) * 1e-6)
        chunks.append((self.rng.integers(t0 + 1, t1 + 1, n_noise),
                       self.rng.integers(0, img.size, n_noise),
                       self.rng.random(n_noise) < 0.5))
        t = np.concatenate([c[0] for c in chunks])
        pix = np.concatenate([c[1] for c in chunks])
        pol = np.concatenate([c[2] for c in chunks])
        order = np.argsort(t, kind='stable')
        events = np.empty(len(t), EVENT_DTYPE)
        events['t'] = t[order]
        events['x'] = pix[order] % WIDTH
        events['y'] = pix[order] // WIDTH
        events['p'] = pol[order]
        return events


def _box_pixels(obj: 'MovingObject') -> Tuple[slice, slice]:
    x, y, w, h = obj.box()
    return (slice(max(int(y), 0), max(int(y + h), 0)),
            slice(max(int(x), 0), max(int(x + w), 0)))


def visible_share(objects: List['MovingObject'], i: int) -> float:
    """Share of object ``i``'s box on the sensor and not covered by the
    boxes of objects drawn after it (in front of it)."""
    x, y, w, h = objects[i].box()
    area = np.zeros((HEIGHT, WIDTH), bool)
    area[_box_pixels(objects[i])] = True
    covered = np.zeros_like(area)
    for obj in objects[i + 1:]:
        covered[_box_pixels(obj)] = True
    return float((area & ~covered).sum()) / max(w * h, 1.)


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


def main():
    args = parse_args()
    if args.if_outdated and is_current(args.out, args.size, args.seed):
        print(f'{args.out} is current (mini-Gen1 v{VERSION}); nothing to do')
        return
    total = make_mini_gen1(args.out, args.size, args.seed)
    print(f'wrote mini-Gen1 ({args.size}, {total} events) to {args.out}')


if __name__ == '__main__':
    main()
