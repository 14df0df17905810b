"""Threshold balancing of an ANN before its spiking twin is trained from it.

An IF neuron with threshold 1 passes at most one spike a step: over T steps
its rate is ``floor(T * x) / T`` of a constant input ``x``, clipped to
[0, 1]. The BN outputs that feed mmdet YOLOv3's LeakyReLUs reach 2 to 4 at
their 99th percentile (mini-VOC's ANN twin), so a spiking twin loaded with
the ANN's weights as they are saturates on much of its input. Dividing each
such BN's affine weight and bias by the channel's percentile ``lambda``
(Rueckauer et al. 2017's data-based normalisation, which Spiking-YOLO uses
as per-channel thresholds) puts the percentile at the threshold. In
training mode, the next layer's BN normalises its input again, so no other
weight needs to change for the spiking twin's fine-tuning; the ANN itself
then computes ``act(y / lambda)`` in place of ``act(y)``.
"""
from typing import Dict, Iterable

import torch.nn as nn
from mmcv.cnn import ConvModule
from torch import Tensor

from .calibration import (ChannelPercentileRecorder, normalisation_factors,
                          run_calibration)


def activation_norms(model: nn.Module) -> Dict[str, nn.Module]:
    """``{ConvModule name: its norm layer}`` for every ConvModule whose norm
    feeds an activation (conv -> norm -> act), in module order."""
    norms = {}
    for name, module in model.named_modules():
        if (isinstance(module, ConvModule) and module.with_norm
                and module.with_activation
                and module.order.index('norm') < module.order.index('act')):
            norm = getattr(module, module.norm_name)
            if getattr(norm, 'weight', None) is None:
                raise ValueError(
                    f'balance_thresholds: {name}.{module.norm_name} has no '
                    'affine weight to scale (norm_cfg affine=False)')
            norms[name] = norm
    return norms


def balance_thresholds(model: nn.Module,
                       batches: Iterable[Tensor],
                       percentile: float = 99.0) -> Dict[str, Tensor]:
    """Scale every activation's BN so that the ``percentile``-th percentile
    of each channel's output over ``batches`` becomes 1, in place.

    Args:
        model (nn.Module): An mmdet detector (its ``_forward(inputs)`` runs
            backbone, neck and head) whose ConvModules end in BN and an
            activation, e.g. the ANN twin of an SNN.
        batches (Iterable[Tensor]): Preprocessed images ``[B, 3, H, W]``.
        percentile (float): In (0, 100]. Defaults to 99.0.

    Returns:
        dict[str, Tensor]: ``{ConvModule name: lambda [C]}``, the divisors.
    """
    norms = activation_norms(model)
    if not norms:
        raise ValueError('balance_thresholds: the model has no ConvModule '
                         'with a norm and an activation')
    batches = list(batches)
    was_training = model.training
    model.eval()  # running statistics, and no update of them
    try:
        with ChannelPercentileRecorder(norms) as recorder:
            run_calibration(model._forward, batches, len(batches))
    finally:
        model.train(was_training)
    percentiles = recorder.percentiles(percentile)
    divisors = {}
    for name, norm in norms.items():
        lam = normalisation_factors(percentiles[name],
                                    recorder.samples[name]).to(
                                        norm.weight.device, norm.weight.dtype)
        norm.weight.data.div_(lam)
        norm.bias.data.div_(lam)
        divisors[name] = lam
    return divisors
