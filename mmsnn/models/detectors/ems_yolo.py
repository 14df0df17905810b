"""EMS-YOLO: a single-stage detector made spiking by the detector mixin."""
from mmdet.models.detectors import SingleStageDetector
from mmdet.registry import MODELS

from .spiking_detector_mixin import SpikingDetectorMixin


@MODELS.register_module()
class EMSYOLO(SpikingDetectorMixin, SingleStageDetector):
    """EMS-YOLO (Su et al., ICCV 2023) run for T time steps.

    An ``EMSResNet`` backbone, an ``EMSYOLONeck`` and a ``CMDYOLOV5Head``;
    ``time_steps`` is the single place T is set (EMS-YOLO's
    ``time_window``), and every forward path first returns all neurons to
    rest (:class:`SpikingDetectorMixin`).

    Args:
        backbone, neck, bbox_head (dict): The parts.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        train_cfg, test_cfg, data_preprocessor, init_cfg: As
            :class:`SingleStageDetector`.
    """
