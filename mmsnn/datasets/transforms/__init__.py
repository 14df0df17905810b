from .event_representations import (EventsToHistogram,
                                    EventsToPolarityFrames, EventsToVoxelGrid)
from .formatting import EVENT_META_KEYS, PackEventDetInputs
from .loading import PIPELINE_EVENT_DTYPE, LoadPropheseeEvents
from .transforms import PadEvents, RandomFlipEvents, ResizeEvents

__all__ = [
    'EventsToHistogram', 'EventsToPolarityFrames', 'EventsToVoxelGrid',
    'EVENT_META_KEYS', 'PackEventDetInputs', 'PIPELINE_EVENT_DTYPE', 'LoadPropheseeEvents',
    'PadEvents', 'RandomFlipEvents', 'ResizeEvents'
]
