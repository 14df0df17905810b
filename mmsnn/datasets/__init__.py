"""Event-camera data: Prophesee Gen1 files, data set and transforms; the
checks of a config's data; synthetic data sets."""
from .data_check import check_data, register_missing_data_hint
from .event_windows import (config_window_us, event_recordings,
                            recording_windows, takes_events)
from .gen1 import Gen1Dataset, MiniGen1Dataset
from .gen1_protocol import (GEN1_CLASSES, GEN1_SENSOR_SIZE, MIN_BOX_DIAG,
                            MIN_BOX_SIDE, SKIP_FIRST_US, TIME_TOLERANCE_US,
                            protocol_box_mask)
from .prophesee_io import (BOX_DTYPE, EVENT_DTYPE, PropheseeDatFile,
                           read_prophesee_boxes, read_prophesee_dat,
                           write_prophesee_dat)
from .synthetic import make_mini_gen1, make_mini_voc
from .transforms import *  # noqa: F401,F403

__all__ = [
    'Gen1Dataset', 'MiniGen1Dataset', 'GEN1_CLASSES', 'GEN1_SENSOR_SIZE',
    'MIN_BOX_DIAG', 'MIN_BOX_SIDE', 'SKIP_FIRST_US', 'TIME_TOLERANCE_US',
    'protocol_box_mask', 'BOX_DTYPE', 'EVENT_DTYPE', 'PropheseeDatFile',
    'read_prophesee_boxes', 'read_prophesee_dat', 'write_prophesee_dat',
    'check_data', 'register_missing_data_hint', 'make_mini_gen1',
    'make_mini_voc', 'config_window_us', 'event_recordings',
    'recording_windows', 'takes_events'
]
