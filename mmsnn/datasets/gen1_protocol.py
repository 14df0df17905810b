"""The Gen1 evaluation protocol used by published results, in one place.

Boxes count when their diagonal is at least 30 px, both sides at least
10 px, and their timestamp is after the first 0.1 s of the recording
(``t > 100000`` us). This is what Prophesee's toolbox does for Gen1: its
``src/psee_evaluator.py --camera GEN1`` calls ``filter_boxes(boxes,
int(1e5), 30, 10)``, and ``filter_boxes`` keeps ``t > skip_ts``. The
0.5 s of ``filter_boxes``' default argument and docstring (and of the
toolbox's README) is not what its evaluator passes; RVT's and HMNet's
evaluators pass 5e5, so set ``skip_first_us=500_000`` on the data set and
the metric to compare with those. The data set (ground truth) and the
metric (detections) filter with the same function.
"""
import numpy as np

#: Gen1's classes, in ``class_id`` order.
GEN1_CLASSES = ('car', 'pedestrian')
#: Gen1's sensor, ``(height, width)``.
GEN1_SENSOR_SIZE = (240, 304)
MIN_BOX_DIAG = 30.
MIN_BOX_SIDE = 10.
#: Boxes at or before this time (us) are dropped: the toolbox evaluator's.
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
        skip_first_us (int): Boxes with ``t <= skip_first_us`` are
            dropped (the toolbox's ``ts > skip_ts``).

    Returns:
        np.ndarray: Bool mask, shape ``[N]``.
    """
    w, h = np.asarray(w, np.float64), np.asarray(h, np.float64)
    return ((np.asarray(t) > skip_first_us) &
            (w * w + h * h >= min_box_diag**2) &
            (w >= min_box_side) & (h >= min_box_side))
