"""Loading a sample's events: the window before its label."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from ..prophesee_io import PropheseeDatFile

#: Events inside the pipeline: time since the window's start (us), pixel
#: centre coordinates (integer pixel + 0.5, so geometric transforms move
#: them like box corners), polarity (1 ON, 0 OFF).
PIPELINE_EVENT_DTYPE = np.dtype([('t', '<i8'), ('x', '<f4'), ('y', '<f4'),
                                 ('p', 'u1')])


@TRANSFORMS.register_module()
class LoadPropheseeEvents(BaseTransform):
    """Read the events of ``[timestamp - window_us, timestamp)``.

    Only the window's records are read (the file is memory-mapped).

    Required keys: ``events_path``, ``timestamp``, ``window_us``,
    ``height``, ``width``.

    Added keys: ``events`` (:data:`PIPELINE_EVENT_DTYPE`, shape ``[N]``),
    ``img_shape`` and ``ori_shape`` (``(height, width)``).

    Args:
        window_us (int, optional): Override the data set's window.
    """

    def __init__(self, window_us=None) -> None:
        self.window_us = window_us

    def transform(self, results: dict) -> dict:
        window = self.window_us or results['window_us']
        t_end = int(results['timestamp'])
        t_start = t_end - window
        raw = PropheseeDatFile(results['events_path']).window(t_start, t_end)
        events = np.empty(len(raw), PIPELINE_EVENT_DTYPE)
        events['t'] = raw['t'].astype(np.int64) - t_start
        events['x'] = raw['x'] + 0.5
        events['y'] = raw['y'] + 0.5
        events['p'] = raw['p']
        results['events'] = events
        results['window_us'] = window
        shape = (int(results['height']), int(results['width']))
        results['img_shape'] = results['ori_shape'] = shape
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(window_us={self.window_us})'
