"""SNN-YOLOv3: the detector that owns T and the neurons' state."""
from typing import List, Optional, Union

import torch
from mmdet.models.detectors import YOLOV3
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..defaults import DEFAULT_TIME_STEPS
from ..layers.time_folding import (TimeStepsMixin, reset_neurons,
                                   set_step_mode)


@MODELS.register_module()
class SNNYOLOV3(TimeStepsMixin, YOLOV3):
    """mmdet's :class:`YOLOV3` run as a spiking network for T time steps.

    ``time_steps`` is the single place T is set: the detector hands it to
    its backbone, neck, head and every neuron, so ``--cfg-options
    model.time_steps=4`` tests a T=6 model at T=4. Every forward path
    (``loss``, ``predict``, ``_forward``) first returns all neurons to rest,
    so state never leaks between batches, into inference, TTA or FLOP
    counting.

    Args:
        backbone, neck, bbox_head (dict): Spiking components, e.g.
            ``SpikingDarknet``, ``SpikingYOLOV3Neck``, ``CMDYOLOV3Head``.
        time_steps (int): T. Defaults to ``DEFAULT_TIME_STEPS``.
        train_cfg, test_cfg, data_preprocessor, init_cfg: As
            :class:`YOLOV3`.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: ConfigType,
                 bbox_head: ConfigType,
                 time_steps: int = DEFAULT_TIME_STEPS,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            bbox_head=bbox_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.time_steps = time_steps

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Union[dict, list]:
        reset_neurons(self)
        return super().loss(batch_inputs, batch_data_samples)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        reset_neurons(self)
        return super().predict(batch_inputs, batch_data_samples, rescale)

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: Optional[SampleList] = None) -> tuple:
        reset_neurons(self)
        return super()._forward(batch_inputs, batch_data_samples)

    def forward_per_step(self, batch_inputs: Tensor) -> List[Tensor]:
        """Reference path: T sequential single-step passes, stateful neurons.

        Computes what :meth:`_forward` computes (the decoded prediction maps)
        by running the whole network once per time step with every neuron in
        single-step mode, then decoding the T raw outputs. It exists to check
        the folded path against and to measure its speed-up; it is slower.

        Args:
            batch_inputs (Tensor): Images, ``[B, 3, H, W]``.

        Returns:
            list[Tensor]: Prediction maps, each ``[B, A*(5+K), h, w]``.
        """
        time_steps, decode_mode = self.time_steps, self.bbox_head.decode_mode
        reset_neurons(self)
        set_step_mode(self, 's')
        self.time_steps = 1  # each pass is one step: no repeat, no fold
        try:
            steps = [
                self.bbox_head(self.extract_feat(batch_inputs))[0]
                for _ in range(time_steps)
            ]
        finally:
            self.time_steps = time_steps
            set_step_mode(self, 'm')
            reset_neurons(self)
        reduce = torch.sum if decode_mode == 'sum' else torch.mean
        return [reduce(torch.stack(level), 0) for level in zip(*steps)]
