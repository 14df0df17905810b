"""SNN-YOLOv3: mmdet's YOLOv3 made spiking by the detector mixin."""
from mmdet.models.detectors import YOLOV3
from mmdet.registry import MODELS

from .spiking_detector_mixin import SpikingDetectorMixin


@MODELS.register_module()
class SNNYOLOV3(SpikingDetectorMixin, YOLOV3):
    """mmdet's :class:`YOLOV3` run as a spiking network for T time steps.

    ``time_steps`` is the single place T is set (see
    :class:`SpikingDetectorMixin`): ``--cfg-options model.time_steps=4``
    tests a T=6 model at T=4. Every forward path (``loss``, ``predict``,
    ``_forward``) first returns all neurons to rest.

    Args:
        backbone, neck, bbox_head (dict): Spiking components, e.g.
            ``SpikingDarknet``, ``SpikingYOLOV3Neck``, ``CMDYOLOV3Head``.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        train_cfg, test_cfg, data_preprocessor, init_cfg: As
            :class:`YOLOV3`.
    """
