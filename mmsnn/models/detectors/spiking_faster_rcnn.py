"""Faster R-CNN with spiking parts, owning T."""
from mmdet.models.detectors import FasterRCNN
from mmdet.registry import MODELS

from .spiking_detector_mixin import SpikingDetectorMixin


@MODELS.register_module()
class SpikingFasterRCNN(SpikingDetectorMixin, FasterRCNN):
    """mmdet's :class:`FasterRCNN` made spiking by :class:`SpikingDetectorMixin`:
    it owns ``time_steps`` (set once on every part) and resets every
    neuron at each forward path.

    Args:
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        **kwargs: The arguments of :class:`FasterRCNN`.
    """
