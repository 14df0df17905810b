"""Event representations: a window of events -> ``[T, C, H, W]`` frames.

The window is cut into ``num_bins`` equal time bins, one per SNN time step,
so each step sees its own slice of time (no repetition): bin ``k`` holds
the events with ``k * window / T <= t < (k + 1) * window / T``.
"""
import numpy as np
from mmdet.registry import TRANSFORMS

from ...utils.input_error import ConfigValueError
from .time_bins import TimeBinsTransform


def _check_bins(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigValueError(f'{name} must be a positive integer, got '
                               f'{value!r}')
    return value


def _canvas(results: dict):
    """``(height, width)`` to draw into: the padded shape if padded."""
    h, w = results.get('pad_shape', results['img_shape'])[:2]
    return int(h), int(w)


def _pixels(events: np.ndarray, height: int, width: int):
    """Integer pixel of each event and which fall on the canvas."""
    xi = np.floor(events['x']).astype(np.int64)
    yi = np.floor(events['y']).astype(np.int64)
    inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
    return xi, yi, inside


def _binned_pixels(results: dict, num_bins: int):
    """The events, the canvas ``(height, width)``, each event's pixel
    ``(x, y)`` and whether it is on the canvas, and its time bin ``k``."""
    events, window = results['events'], int(results['window_us'])
    height, width = _canvas(results)
    xi, yi, inside = _pixels(events, height, width)
    k = np.clip(events['t'] * num_bins // window, 0, num_bins - 1)
    return events, height, width, xi, yi, inside, k


@TRANSFORMS.register_module()
class EventsToHistogram(TimeBinsTransform):
    """Per-bin 2-channel histograms: event counts by polarity and pixel.

    ``img[k, p, y, x]`` is the number of events of polarity ``p`` (channel
    0 OFF, channel 1 ON) at pixel ``(x, y)`` in time bin ``k``.

    Required keys: ``events``, ``window_us``, ``img_shape`` (``pad_shape``
    if present). Added key: ``img`` (float32, ``[T, 2, H, W]``).

    Args:
        num_bins (int): T, the number of time bins (the model's
            ``time_steps``).
    """

    def __init__(self, num_bins: int) -> None:
        self.num_bins = _check_bins('EventsToHistogram: num_bins', num_bins)

    def transform(self, results: dict) -> dict:
        events, height, width, xi, yi, inside, k = _binned_pixels(
            results, self.num_bins)
        flat = ((k * 2 + events['p'].astype(np.int64)) * height + yi) * width \
            + xi
        counts = np.bincount(flat[inside],
                             minlength=self.num_bins * 2 * height * width)
        results['img'] = counts.astype(np.float32).reshape(
            self.num_bins, 2, height, width)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_bins={self.num_bins})'


@TRANSFORMS.register_module()
class EventsToVoxelGrid(TimeBinsTransform):
    """Voxel grid: polarity-signed events spread linearly in time.

    The voxel grid of Zhu et al. 2019 with ``n = num_bins * bins_per_step``
    sub-bins: an event at time ``t`` of the window ``[t0, tN)`` sits at
    ``t* = (n - 1) (t - t0) / (tN - t0)`` and adds ``+1`` (ON) or ``-1``
    (OFF) split between sub-bins ``floor(t*)`` and ``floor(t*) + 1``
    (weights ``1 - frac(t*)`` and ``frac(t*)``), so every event weighs 1
    in total, also at the window's edges. ``t0`` and ``tN`` are the
    window's bounds (Zhu et al. take the first and last event), so a
    sub-bin means the same time in every sample. Sub-bin ``j``'s centre is
    at ``j / (n - 1)`` of the window; time step ``k`` gets sub-bins
    ``k * bins_per_step ... (k + 1) * bins_per_step - 1`` as its channels.

    Required keys: as :class:`EventsToHistogram`. Added key: ``img``
    (float32, ``[T, bins_per_step, H, W]``).

    Args:
        num_bins (int): T.
        bins_per_step (int): Channels of each step. Defaults to 2.
    """

    def __init__(self, num_bins: int, bins_per_step: int = 2) -> None:
        self.num_bins = _check_bins('EventsToVoxelGrid: num_bins', num_bins)
        self.bins_per_step = _check_bins('EventsToVoxelGrid: bins_per_step',
                                         bins_per_step)

    def transform(self, results: dict) -> dict:
        events, window = results['events'], int(results['window_us'])
        height, width = _canvas(results)
        n_sub = self.num_bins * self.bins_per_step
        xi, yi, inside = _pixels(events, height, width)
        # t* in [0, n_sub - 1]; with one sub-bin every event lands on it.
        pos = np.clip(events['t'] * ((n_sub - 1) / window), 0, n_sub - 1)
        left = np.floor(pos).astype(np.int64)
        frac = (pos - left).astype(np.float32)
        sign = np.where(events['p'] > 0, 1., -1.).astype(np.float32)
        grid = np.zeros(n_sub * height * width, np.float32)
        pixel = yi * width + xi
        for k, weight in ((left, 1 - frac), (left + 1, frac)):
            ok = inside & (k >= 0) & (k < n_sub)
            grid += np.bincount(k[ok] * height * width + pixel[ok],
                                weights=(sign * weight)[ok],
                                minlength=grid.size).astype(np.float32)
        results['img'] = grid.reshape(self.num_bins, self.bins_per_step,
                                      height, width)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_bins={self.num_bins}, '
                f'bins_per_step={self.bins_per_step})')


@TRANSFORMS.register_module()
class EventsToPolarityFrames(TimeBinsTransform):
    """Per-bin grey frames with each event's pixel painted by its polarity.

    EMS-YOLO's Gen1 frames (``g1-resnet/utils/give_g1_data.py``,
    ``create_data``): every bin starts grey (``background``, 127) and each
    event sets its pixel to 255 (ON) or 0 (OFF), the bin's last event at a
    pixel winning; the value is the same on all ``channels`` (they feed an
    RGB-shaped first conv). Scale by 1/255 in the data preprocessor, as
    their training loop divides by 255.

    Required keys: as :class:`EventsToHistogram`. Added key: ``img``
    (float32, ``[T, channels, H, W]``, values 0, ``background``, 255).

    Args:
        num_bins (int): T, the number of time bins (the model's
            ``time_steps``).
        channels (int): Copies of the frame. Defaults to 3.
        background (float): Value of pixels without events. Defaults to 127.
    """

    def __init__(self, num_bins: int, channels: int = 3,
                 background: float = 127.) -> None:
        self.num_bins = _check_bins('EventsToPolarityFrames: num_bins',
                                    num_bins)
        self.channels = _check_bins('EventsToPolarityFrames: channels',
                                    channels)
        self.background = float(background)

    def transform(self, results: dict) -> dict:
        events, height, width, xi, yi, inside, k = _binned_pixels(
            results, self.num_bins)
        frames = np.full(self.num_bins * height * width, self.background,
                         np.float32)
        flat = ((k * height + yi) * width + xi)[inside]
        value = np.where(events['p'][inside] > 0, 255., 0.)
        # the last event at a pixel wins: keep each pixel's last occurrence
        last = len(flat) - 1 - np.unique(flat[::-1], return_index=True)[1]
        frames[flat[last]] = value[last]
        frames = frames.reshape(self.num_bins, 1, height, width)
        results['img'] = np.repeat(frames, self.channels, axis=1)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_bins={self.num_bins}, '
                f'channels={self.channels}, background={self.background:g})')
