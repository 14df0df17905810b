"""The Gen1 evaluation protocol used by published results, in one place.

Boxes count when their diagonal is at least 30 px and both sides at least
10 px, and not in the first 0.1 s of a recording (Prophesee's toolbox
``filter_boxes`` as its Gen1 evaluation calls it: its docstring says 0.5 s,
its code uses 1e5 us). The data set (ground truth) and the metric
(detections) filter with the same function.
"""
import numpy as np

#: Gen1's classes, in ``class_id`` order.
GEN1_CLASSES = ('car', 'pedestrian')
#: Gen1's sensor, ``(height, width)``.
GEN1_SENSOR_SIZE = (240, 304)
MIN_BOX_DIAG = 30.
MIN_BOX_SIDE = 10.
SKIP_FIRST_US = 100_000
#: Detections are matched to a label within this time (us).
TIME_TOLERANCE_US = 50_000


def protocol_box_mask(t: np.ndarray,
                      w: np.ndarray,
                      h: np.ndarray,
                      min_box_diag: float = MIN_BOX_DIAG,
                      min_box_side: float = MIN_BOX_SIDE,
                      skip_first_us: int = SKIP_FIRST_US) -> np.ndarray:
    """Which boxes the protocol keeps.

    Args:
        t (np.ndarray): Timestamps (us), shape ``[N]``.
        w, h (np.ndarray): Box sizes (px), shape ``[N]``.
        min_box_diag, min_box_side (float): Size limits (px).
        skip_first_us (int): Boxes with ``t`` below this are dropped.

    Returns:
        np.ndarray: Bool mask, shape ``[N]``.
    """
    w, h = np.asarray(w, np.float64), np.asarray(h, np.float64)
    return ((np.asarray(t) >= skip_first_us) &
            (w * w + h * h >= min_box_diag**2) &
            (w >= min_box_side) & (h >= min_box_side))
