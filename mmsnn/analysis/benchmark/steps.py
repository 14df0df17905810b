"""What a benchmark runs: synthetic data and one train or inference step.

* :func:`synthetic_batch` - preprocessed random images and boxes;
* :func:`make_step` - one training step (forward, loss, backward, optimizer
  step) or one inference forward of a model, on the folded path or on the
  per-step reference path (:func:`per_step_loss`).
"""
from contextlib import nullcontext
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper, build_optim_wrapper

from ...models.detectors import SpikingDetectorMixin

MODES = ('train', 'infer')
PATHS = ('folded', 'per_step')

#: A step: one call runs one training step or one inference forward.
Step = Callable[[], None]


def synthetic_batch(model: nn.Module,
                    batch_size: int,
                    shape: Tuple[int, int],
                    num_boxes: int = 3,
                    seed: int = 0) -> dict:
    """Random images with random boxes, through the model's preprocessor.

    Args:
        model (nn.Module): A detector with a ``data_preprocessor``; its
            ``bbox_head.num_classes`` bounds the labels.
        batch_size (int): Number of images.
        shape (tuple[int, int]): Image height and width.
        num_boxes (int): Ground-truth boxes per image. Defaults to 3.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict: ``inputs`` ``[B, 3, H, W]`` and ``data_samples``, on the
        model's device, as the data preprocessor returns them in training.
    """
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    height, width = shape
    num_classes = getattr(getattr(model, 'bbox_head', None), 'num_classes',
                          1)
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(
            torch.randint(0, 256, (3, height, width), generator=g,
                          dtype=torch.uint8))
        sample = DetDataSample(metainfo=dict(
            img_shape=(height, width), ori_shape=(height, width),
            scale_factor=(1., 1.), pad_shape=(height, width),
            batch_input_shape=(height, width)))
        size = torch.tensor([width, height] * 2, dtype=torch.float32)
        corners = torch.rand(num_boxes, 2, 2, generator=g).sort(1).values
        sample.gt_instances = InstanceData(
            bboxes=(corners.flatten(1) * size).clamp(min=0),
            labels=torch.randint(0, num_classes, (num_boxes, ), generator=g))
        samples.append(sample)
    return model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), training=True)


def per_step_loss(model: nn.Module, inputs: torch.Tensor,
                  data_samples: list) -> dict:
    """The detector's loss computed on its per-step reference path.

    Same as ``model.loss`` but with the prediction maps of
    ``model.forward_per_step`` (T sequential single-step passes with
    stateful neurons), so that its gradients can be compared with the
    folded path's, and its cost measured.

    Args:
        model (nn.Module): A spiking detector
            (:class:`~mmsnn.models.SpikingDetectorMixin`) whose
            ``bbox_head`` has mmdet's ``loss_by_feat``.
        inputs (Tensor): Images, ``[B, 3, H, W]``.
        data_samples (list[DetDataSample]): With ``gt_instances``.

    Returns:
        dict: The losses, as ``model.loss`` returns them.
    """
    from mmdet.models.utils import unpack_gt_instances
    if not isinstance(model, SpikingDetectorMixin):
        raise TypeError(f'{type(model).__name__} has no forward_per_step: '
                        'the per-step reference path needs a spiking '
                        'detector (SpikingDetectorMixin, e.g. SNNYOLOV3)')
    # The head's outputs, then its targets, as mmdet's dense heads' loss().
    outs = model.forward_per_step(inputs, data_samples)
    gt_instances, gt_ignore, img_metas = unpack_gt_instances(data_samples)
    return model.bbox_head.loss_by_feat(*outs, gt_instances, img_metas,
                                        gt_ignore)


def autocast(device: str, amp_dtype: Optional[torch.dtype]):
    """``torch.autocast`` on ``device`` with ``amp_dtype``, or a no-op."""
    if amp_dtype is None:
        return nullcontext()
    return torch.autocast(device_type=torch.device(device).type,
                          dtype=amp_dtype)


def build_benchmark_optim_wrapper(model: nn.Module, optim_cfg: dict,
                                  device: str,
                                  amp_dtype: Optional[torch.dtype] = None
                                  ) -> OptimWrapper:
    """The config's optimizer wrapper; with ``AmpOptimWrapper`` (loss
    scaling) for float16 on CUDA."""
    cfg = dict(optim_cfg)
    if amp_dtype is torch.float16 and torch.device(device).type == 'cuda':
        cfg.update(type='AmpOptimWrapper', dtype='float16')
    elif cfg.get('type') == 'AmpOptimWrapper':
        cfg['type'] = 'OptimWrapper'  # autocast is handled by make_step
        cfg.pop('dtype', None)
        cfg.pop('loss_scale', None)
    return build_optim_wrapper(model, cfg)


def make_step(model: nn.Module,
              data: dict,
              mode: str = 'train',
              path: str = 'folded',
              optim_wrapper: Optional[OptimWrapper] = None,
              amp_dtype: Optional[torch.dtype] = None,
              device: str = 'cpu') -> Step:
    """One training step or one inference forward of ``model`` on ``data``.

    Args:
        model (nn.Module): A detector; put in train or eval mode here.
        data (dict): From :func:`synthetic_batch`.
        mode (str): ``'train'`` (forward, loss, backward, optimizer step) or
            ``'infer'`` (the network's forward, ``_forward``, under
            ``torch.no_grad``; no box post-processing, which would count the
            ANN's T x B images against the SNN's B). Defaults to 'train'.
        path (str): ``'folded'`` (the model's own forward) or ``'per_step'``
            (:meth:`forward_per_step`, the reference). Defaults to 'folded'.
        optim_wrapper (OptimWrapper, optional): Needed for ``'train'``.
        amp_dtype (torch.dtype, optional): Run under autocast with it.
        device (str): Where the model lives. Defaults to 'cpu'.

    Returns:
        Callable[[], None]: The step.
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    if path not in PATHS:
        raise ValueError(f'path must be one of {PATHS}, got {path!r}')
    inputs, samples = data['inputs'], data['data_samples']
    if mode == 'infer':
        model.eval()
        forward = model.forward_per_step if path == 'per_step' else \
            model._forward

        def infer_step():
            with torch.no_grad(), autocast(device, amp_dtype):
                forward(inputs)

        return infer_step

    if optim_wrapper is None:
        raise ValueError("mode='train' needs an optim_wrapper")
    model.train()

    def train_step():
        with optim_wrapper.optim_context(model), autocast(device, amp_dtype):
            losses = per_step_loss(model, inputs, samples) \
                if path == 'per_step' else model.loss(inputs, samples)
            loss, _ = model.parse_losses(losses)
        optim_wrapper.update_params(loss)

    return train_step


def set_module_attrs(model: nn.Module, attrs: Dict[str, object]) -> None:
    """Set each ``name: value`` on every submodule that has attribute
    ``name`` (e.g. ``backend`` of neurons, ``with_cp``, ``encode_once``).

    Raises:
        ValueError: When no submodule has one of the names.
    """
    for name, value in attrs.items():
        owners = [m for m in model.modules() if hasattr(m, name)]
        if not owners:
            raise ValueError(f'no module of {type(model).__name__} has an '
                             f'attribute {name!r} to set to {value!r}')
        for module in owners:
            setattr(module, name, value)
