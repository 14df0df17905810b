"""A simulated event camera: per-pixel log-intensity contrast events.

A pixel emits an event whenever its log intensity has moved by more than the
contrast threshold :data:`CONTRAST` since its last event (ON when it rose,
OFF when it fell; several crossings in one frame give several events, timed
by linear interpolation), not within :data:`REFRACTORY_US` of its previous
event, plus uniformly random noise events (:data:`NOISE_HZ` per pixel).

Every value here shapes the bytes :mod:`.mini_gen1` writes: a change needs a
new ``VERSION`` there.
"""
import numpy as np

from ..prophesee_io import EVENT_DTYPE

CONTRAST = 0.2  # log-intensity threshold
REFRACTORY_US = 1000
NOISE_HZ = 0.1  # noise events per pixel per second
MAX_CROSSINGS = 4  # events a pixel may fire within one frame


class EventCamera:
    """Per-pixel log-intensity contrast events with refractory time.

    Args:
        rng (np.random.Generator): Draws the noise events.
        first_frame (np.ndarray): ``[H, W]`` intensities in (0, 1] at time
            0, the pixels' first reference levels.
    """

    def __init__(self, rng: np.random.Generator,
                 first_frame: np.ndarray) -> None:
        self.rng = rng
        self.width = first_frame.shape[1]
        self.ref = np.log(first_frame + 1e-3).ravel()
        self.last_t = np.full(self.ref.size, -10**9, np.int64)

    def frame(self, img: np.ndarray, t0: int, t1: int) -> np.ndarray:
        """Events of the interval ``(t0, t1]`` from the frame at ``t1``.

        Args:
            img (np.ndarray): ``[H, W]`` intensities at ``t1``.
            t0 (int): Time of the previous frame (us).
            t1 (int): Time of this frame (us).

        Returns:
            np.ndarray: Events (Gen1's ``EVENT_DTYPE``), sorted by time.
        """
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
        events['x'] = pix[order] % self.width
        events['y'] = pix[order] // self.width
        events['p'] = pol[order]
        return events
