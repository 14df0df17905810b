"""Packing event frames ``[T, C, H, W]`` for the model."""
import numpy as np
import torch
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS

#: Meta keys of an event sample: mmdet's, the padded shape, where and
#: when the sample was cut (the Gen1 metric groups by recording/timestamp)
#: and whether its ground truth was resized with the events (pictures).
EVENT_META_KEYS = ('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                   'recording', 'timestamp', 'window_us', 'gt_in_frame')


@TRANSFORMS.register_module()
class PackEventDetInputs(PackDetInputs):
    """:class:`PackDetInputs` for event frames: ``inputs`` is the
    ``[T, C, H, W]`` float tensor of the representation, as it is (mmdet's
    packing would treat it as an ``H x W x C`` image).

    Args:
        meta_keys (tuple[str]): Defaults to :data:`EVENT_META_KEYS`.
    """

    def __init__(self, meta_keys=EVENT_META_KEYS) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        frames = results.pop('img', None)
        packed = super().transform(results)
        if frames is not None:
            if frames.ndim != 4:
                raise ValueError(
                    'PackEventDetInputs expects event frames of shape [T, C, '
                    f'H, W], got {frames.shape}: put an event representation '
                    '(EventsToHistogram, EventsToVoxelGrid) before it')
            packed['inputs'] = torch.from_numpy(
                np.ascontiguousarray(frames, np.float32))
            results['img'] = frames
        return packed
