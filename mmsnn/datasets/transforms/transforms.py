"""Geometric transforms that move events and boxes together.

They subclass mmdet's :class:`Resize`, :class:`RandomFlip` and :class:`Pad`
and change only how the "image" is moved: here it is the sample's events
(``results['events']``, pixel-centre coordinates) and its canvas
(``img_shape``), before an event representation draws the frames. Boxes,
``scale_factor``, ``flip`` and the homography matrix are handled by mmdet's
code, so predictions are mapped back to sensor pixels as for images.
"""
import mmcv
import numpy as np
from mmdet.datasets.transforms import Pad, RandomFlip, Resize
from mmdet.registry import TRANSFORMS

from ...utils.input_error import ConfigValueError


@TRANSFORMS.register_module()
class ResizeEvents(Resize):
    """Scale event coordinates (and boxes) to ``scale``.

    Records ``gt_in_frame``: whether ground-truth boxes were there to be
    scaled with the events (annotations loaded before the resize, as in
    training), so pictures know if the boxes are in frame or sensor pixels.

    Args:
        scale (tuple[int, int]): ``(width, height)`` target, as
            :class:`Resize` (with ``keep_ratio=True``, the largest size that
            fits it).
        keep_ratio (bool): Defaults to True.
        clip_object_border (bool): Clip boxes to the new canvas.
            Defaults to True.
    """

    def __init__(self, scale, keep_ratio: bool = True,
                 clip_object_border: bool = True) -> None:
        if not scale:
            raise ConfigValueError(
                'ResizeEvents: give scale=(width, height), got '
                f'{scale!r}')
        super().__init__(scale=scale, keep_ratio=keep_ratio,
                         clip_object_border=clip_object_border)

    def _resize_img(self, results: dict) -> None:
        height, width = results['img_shape'][:2]
        if self.keep_ratio:
            new_w, new_h = mmcv.rescale_size((width, height),
                                             results['scale'])
        else:
            new_w, new_h = results['scale']
        w_scale, h_scale = new_w / width, new_h / height
        if results.get('events') is not None:
            events = results['events'].copy()
            events['x'] *= w_scale
            events['y'] *= h_scale
            results['events'] = events
        results['img_shape'] = (new_h, new_w)
        results['scale_factor'] = (w_scale, h_scale)
        results['keep_ratio'] = self.keep_ratio
        # mmdet's Resize scales the boxes right after this, if any.
        results['gt_in_frame'] = results.get('gt_bboxes') is not None


@TRANSFORMS.register_module()
class RandomFlipEvents(RandomFlip):
    """Flip events and boxes (``prob``, ``direction`` as :class:`RandomFlip`).

    A horizontal flip maps an event at pixel centre ``x`` to ``W - x`` and a
    box ``[x1, x2]`` to ``[W - x2, W - x1]``: an event inside a box stays
    inside it.
    """

    def _flip(self, results: dict) -> None:
        height, width = results['img_shape'][:2]
        direction = results['flip_direction']
        events = results['events'].copy()
        if direction in ('horizontal', 'diagonal'):
            events['x'] = width - events['x']
        if direction in ('vertical', 'diagonal'):
            events['y'] = height - events['y']
        results['events'] = events
        if results.get('gt_bboxes', None) is not None:
            results['gt_bboxes'].flip_((height, width), direction)
        # mmdet's _record_homography_matrix reads the shape off an image.
        sx, sy = (-1, 1) if direction == 'horizontal' else \
            (1, -1) if direction == 'vertical' else (-1, -1)
        flip = np.array([[sx, 0, width if sx < 0 else 0],
                         [0, sy, height if sy < 0 else 0], [0, 0, 1]],
                        dtype=np.float32)
        previous = results.get('homography_matrix')
        results['homography_matrix'] = flip if previous is None \
            else flip @ previous


@TRANSFORMS.register_module()
class PadEvents(Pad):
    """Enlarge the canvas at the bottom/right (``size``, ``size_divisor``,
    ``pad_to_square`` as :class:`Pad`); events and boxes do not move, the
    representation draws into ``pad_shape`` with zeros beyond the events."""

    def _pad_img(self, results: dict) -> None:
        height, width = results['img_shape'][:2]
        size = (height, width)
        if self.pad_to_square:
            size = (max(size), max(size))
        if self.size_divisor is not None:
            d = self.size_divisor
            size = (-(-size[0] // d) * d, -(-size[1] // d) * d)
        elif self.size is not None:
            size = tuple(self.size[::-1])
        results['pad_shape'] = results['img_shape'] = size
        results['pad_fixed_size'] = self.size
        results['pad_size_divisor'] = self.size_divisor
