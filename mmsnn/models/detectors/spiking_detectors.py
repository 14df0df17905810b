"""Spiking versions of mmdet's detectors: the detector mixin on each."""
from typing import Optional, Type

from mmdet.models.detectors import (FCOS, FasterRCNN, RetinaNet,
                                    SingleStageDetector, TwoStageDetector)
from mmdet.models.detectors.base import BaseDetector
from mmdet.registry import MODELS

from .spiking_detector_mixin import SpikingDetectorMixin


def spiking_detector(cls: Type[BaseDetector],
                     name: Optional[str] = None) -> type:
    """Make and register ``Spiking<cls>``, ``(SpikingDetectorMixin, cls)``.

    The class is an instance of ``cls`` (``isinstance`` checks pass), takes
    ``cls``'s arguments plus ``time_steps``, owns T and resets the neurons
    on every forward path. One line makes any mmdet detector spiking::

        SpikingATSS = spiking_detector(ATSS)  # registered as 'SpikingATSS'

    Args:
        cls (type): An mmdet detector class (single- or two-stage).
        name (str, optional): The class and registry name. Defaults to
            ``'Spiking' + cls.__name__``.

    Returns:
        type: The new, registered class.
    """
    name = name or f'Spiking{cls.__name__}'
    doc = (f"mmdet's :class:`{cls.__name__}` made spiking by "
           ':class:`SpikingDetectorMixin`: it owns ``time_steps`` (set once '
           'on every part) and resets every neuron at each forward path.\n\n'
           '    Args:\n'
           '        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.\n'
           f'        **kwargs: The arguments of :class:`{cls.__name__}`.\n')
    spiking = type(name, (SpikingDetectorMixin, cls),
                   dict(__doc__=doc, __module__=__name__, __qualname__=name))
    MODELS.register_module(module=spiking)
    return spiking


SpikingSingleStageDetector = spiking_detector(SingleStageDetector)
SpikingTwoStageDetector = spiking_detector(TwoStageDetector)
SpikingRetinaNet = spiking_detector(RetinaNet)
SpikingFCOS = spiking_detector(FCOS)
SpikingFasterRCNN = spiking_detector(FasterRCNN)
