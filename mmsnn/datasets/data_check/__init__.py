"""Checks of the data a config points at, one concern a file: the data
loaders' data sets (:mod:`.loaders`), what a missing data root should hold
(:mod:`.missing_data`), VOC-style splits (:mod:`.voc_check`) and their
image files (:mod:`.image_check`), Gen1 splits (:mod:`.gen1_check`)."""
from .gen1_check import check_gen1_dataset
from .image_check import image_problem
from .loaders import check_data, check_loader_settings
from .missing_data import (DATASET_DOC, how_to_get_data, missing_data_message,
                           register_missing_data_hint)
from .voc_check import DECODE_AUTO_MAX_IMAGES, check_xml_dataset

__all__ = [
    'check_data', 'check_loader_settings', 'check_xml_dataset',
    'check_gen1_dataset',
    'image_problem', 'how_to_get_data', 'missing_data_message',
    'register_missing_data_hint', 'DATASET_DOC', 'DECODE_AUTO_MAX_IMAGES'
]
