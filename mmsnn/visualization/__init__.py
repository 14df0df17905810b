"""Pictures of samples and detections (event frames)."""
from .event_drawing import (DET_COLOR, GT_COLOR, OFF_COLOR, ON_COLOR,
                            draw_boxes, draw_event_frame, event_picture,
                            sample_boxes, sample_name)

__all__ = [
    'DET_COLOR', 'GT_COLOR', 'OFF_COLOR', 'ON_COLOR', 'draw_boxes',
    'draw_event_frame', 'event_picture', 'sample_boxes', 'sample_name'
]
