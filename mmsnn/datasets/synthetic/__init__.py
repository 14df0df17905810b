"""Synthetic data sets written in the formats of real ones, for smoke tests
and demos: mini-VOC (PASCAL VOC format, :mod:`.mini_voc`) and mini-Gen1
(Prophesee Gen1 format, :mod:`.mini_gen1`). ``tools/misc/make_mini_voc.py``
and ``tools/misc/make_mini_gen1.py`` write them."""
from .event_camera import EventCamera
from .manifest import (file_digests, read_manifest, verify_manifest,
                       write_manifest)
from .mini_gen1 import make_mini_gen1
from .mini_voc import make_mini_voc, mini_voc_hint

__all__ = [
    'EventCamera', 'file_digests', 'read_manifest', 'verify_manifest',
    'write_manifest',
    'make_mini_gen1', 'make_mini_voc', 'mini_voc_hint'
]
