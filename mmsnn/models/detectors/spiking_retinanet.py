"""RetinaNet with spiking parts, owning T."""
from mmdet.models.detectors import RetinaNet
from mmdet.registry import MODELS

from .spiking_detector_mixin import SpikingDetectorMixin


@MODELS.register_module()
class SpikingRetinaNet(SpikingDetectorMixin, RetinaNet):
    """mmdet's :class:`RetinaNet` made spiking by :class:`SpikingDetectorMixin`:
    it owns ``time_steps`` (set once on every part) and resets every
    neuron at each forward path.

    Args:
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        **kwargs: The arguments of :class:`RetinaNet`.
    """
