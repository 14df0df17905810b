"""The scene mini-Gen1's event camera watches: a textured background that
drifts slowly and objects of Gen1's two classes (``car``: wide rounded boxes
with a window band; ``pedestrian``: tall bodies with a head) that move,
bounce and scale, rendered as intensity frames of Gen1's sensor size.

Every value here shapes the bytes :mod:`.mini_gen1` writes: a change needs a
new ``VERSION`` there.
"""
from typing import List, Tuple

import numpy as np

HEIGHT, WIDTH = 240, 304  # Gen1's sensor


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
    """A texture larger than the sensor, drifting at a slow velocity.

    Args:
        rng (np.random.Generator): Draws the texture and the drift.
        margin (int): Texture pixels beyond the sensor on each side, how
            far it may drift. Defaults to 40.
    """

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
        """The sensor's view at ``t_s`` seconds, ``[H, W]`` float32."""
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
    """A car (0) or pedestrian (1) that moves, bounces and scales.

    Args:
        rng (np.random.Generator): Draws its size, place, motion and
            shade.
        class_id (int): 0 (car) or 1 (pedestrian).
    """

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
        """Move and scale by ``dt_s`` seconds, bouncing off the border."""
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
