"""Batching event frames and handing them to a spiking model time-major."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.models.utils.misc import samplelist_boxtype2tensor
from mmdet.registry import MODELS
from torch import Tensor

from ...utils.input_error import ConfigValueError
from ..time.folding import fold_time, mark_time_folded

#: How the T bins reach the model.
FOLD_MODES = ('time', 'channels')


@MODELS.register_module()
class EventDetDataPreprocessor(DetDataPreprocessor):
    """Stack ``[T, C, H, W]`` event frames and fold time for the model.

    The frames of a batch are padded at the bottom/right to a common size
    (a multiple of ``pad_size_divisor``), stacked to ``[B, T, C, H, W]`` and
    scaled by ``scale``. Then:

    * ``fold='time'`` (spiking models): ``[T*B, C, H, W]``, time-major (rows
      ``t*B:(t+1)*B`` are bin ``t``), tagged with T
      (:func:`~mmsnn.models.time.folding.mark_time_folded`), for a
      backbone with ``encoding='sequence'``: each time step sees its own
      bin, and a model whose T is not the data's bins fails with a clear
      error.
    * ``fold='channels'`` (ANN twins): ``[B, T*C, H, W]``, the bins stacked
      as channels.

    Args:
        fold (str): ``'time'`` or ``'channels'``. Defaults to ``'time'``.
        scale (float): Multiplies the frames (e.g. to bring counts near 1).
            Defaults to 1.
        pad_size_divisor (int): Defaults to 32.
        pad_value (float): Defaults to 0.
        boxtype2tensor (bool): As :class:`DetDataPreprocessor`.
        non_blocking (bool): As :class:`DetDataPreprocessor`.

    Shapes:
        input: a list of B tensors ``[T, C, H_i, W_i]``; output
        ``[T*B, C, H, W]`` or ``[B, T*C, H, W]``.
    """

    def __init__(self,
                 fold: str = 'time',
                 scale: float = 1.0,
                 pad_size_divisor: int = 32,
                 pad_value: float = 0,
                 boxtype2tensor: bool = True,
                 non_blocking: Optional[bool] = False) -> None:
        if fold not in FOLD_MODES:
            raise ConfigValueError(
                f'EventDetDataPreprocessor: fold must be one of {FOLD_MODES}'
                f', got {fold!r}')
        super().__init__(pad_size_divisor=pad_size_divisor,
                         pad_value=pad_value, boxtype2tensor=boxtype2tensor,
                         non_blocking=non_blocking)
        self.fold = fold
        self.scale = float(scale)

    def stack_frames(self, frames: Sequence[Tensor]) -> Tensor:
        """``B x [T, C, H_i, W_i] -> [B, T, C, H, W]``, padded."""
        shapes = {tuple(f.shape[:2]) for f in frames}
        if any(f.dim() != 4 for f in frames) or len(shapes) != 1:
            raise ValueError(
                'EventDetDataPreprocessor expects event frames [T, C, H, W] '
                'with the same T and C in a batch, got shapes '
                f'{[tuple(f.shape) for f in frames]}')
        d = self.pad_size_divisor
        height = -(-max(f.shape[2] for f in frames) // d) * d
        width = -(-max(f.shape[3] for f in frames) // d) * d
        return torch.stack([
            F.pad(f, (0, width - f.shape[3], 0, height - f.shape[2]),
                  value=self.pad_value) for f in frames
        ])

    def forward(self, data: dict, training: bool = False) -> dict:
        """Args:
            data (dict): ``inputs`` (list of ``[T, C, H, W]``) and
                ``data_samples`` from the data loader.
            training (bool): Unused (no batch augments).

        Returns:
            dict: ``inputs`` (see Shapes) and ``data_samples``.
        """
        data = self.cast_data(data)
        frames = data['inputs']
        batch = frames if isinstance(frames, Tensor) and frames.dim() == 5 \
            else self.stack_frames(list(frames))
        batch = batch.float() * self.scale
        num_imgs, time_steps, channels, height, width = batch.shape
        samples = data.get('data_samples')
        if samples is not None:
            for sample in samples:
                sample.set_metainfo({'batch_input_shape': (height, width),
                                     'pad_shape': (height, width)})
            if self.boxtype2tensor:
                samplelist_boxtype2tensor(samples)
        if self.fold == 'channels':
            inputs = batch.flatten(1, 2)
        else:
            inputs = mark_time_folded(fold_time(batch.transpose(0, 1)),
                                      time_steps)
        return {'inputs': inputs, 'data_samples': samples}
