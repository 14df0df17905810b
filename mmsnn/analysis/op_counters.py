"""Operation counters for SNN energy, on spikingjelly's dispatch counting.

All three run under spikingjelly's ``DispatchCounterMode``, which sees every
aten op of a forward and records counts per module scope:

* :class:`DenseMACCounter` - the dense multiply-accumulates of conv/linear
  layers whatever their input: the ANN cost of the same layers.
* :class:`RealMACCounter` - spikingjelly's ``MACCounter`` restricted to
  layers fed real values (the encoding layer): MACs an SNN still executes.
  Inputs that are spike *counts* (non-negative integers, e.g. Darknet's
  residual sums) are accumulates, not MACs. BatchNorm is not counted by
  default: at inference it folds into the preceding conv.
* :class:`SpikeCountSynOpCounter` - spikingjelly's ``SynOpCounter``, which
  counts the exact weight uses of binary inputs (padding-aware), extended to
  spike counts: an input value ``k`` is ``k`` spikes and costs ``k``
  accumulates per synapse. It decomposes ``x = sum_k [x >= k]`` into binary
  tensors and lets spikingjelly count each. (spikingjelly takes a weight
  tensor whose values are all 0 or 1 for binary weights and then counts only
  the 1s; trained float weights never are.)
"""
from math import prod
from typing import Any, Callable, Optional

import torch
from spikingjelly.activation_based.op_counter import (BaseCounter,
                                                      MACCounter,
                                                      SynOpCounter)
from torch import Tensor

aten = torch.ops.aten

__all__ = [
    'DenseMACCounter', 'RealMACCounter', 'SpikeCountSynOpCounter',
    'spike_count_levels'
]


def spike_count_levels(x: Tensor) -> Optional[int]:
    """Largest value of ``x`` if every value is a non-negative integer
    (binary spikes: 0 or 1; spike counts: more), else None (real values)."""
    if x.dtype == torch.bool:
        return int(x.any().item())
    if not x.numel():
        return 0
    if x.min().item() < 0 or not torch.equal(x, x.round()):
        return None
    return int(x.max().item())


def _dense_conv_macs(args, kwargs, out) -> int:
    x, w, transposed, groups = args[0], args[1], args[6], args[8]
    # w: [C_out, C_in / groups, *k] (transposed: [C_in, C_out / groups, *k])
    if transposed:
        return int(w.numel() * prod(x.shape[2:]) * x.shape[0])
    return int(w.numel() * prod(out.shape[2:]) * out.shape[0])


def _dense_mm_macs(args, kwargs, out) -> int:
    x, y = args[:2]
    return int(x.shape[0] * x.shape[1] * y.shape[1])


def _dense_addmm_macs(args, kwargs, out) -> int:
    return _dense_mm_macs(args[1:], kwargs, out)


class DenseMACCounter(BaseCounter):
    """MACs of conv / linear layers as if every input were real-valued.

    This is the ANN cost of the same layers (``groups`` respected: a conv's
    MACs are ``numel(weight) * output positions * batch``). Run it under
    ``DispatchCounterMode``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.rules = {
            aten.convolution.default: _dense_conv_macs,
            aten.mm.default: _dense_mm_macs,
            aten.addmm.default: _dense_addmm_macs,
        }


def _real_input_only(rule: Callable, input_index: int) -> Callable:
    """Wrap a MAC rule so it counts nothing for spike or spike-count
    inputs."""

    def counted_if_real(args, kwargs, out) -> int:
        if spike_count_levels(args[input_index]) is not None:
            return 0
        return rule(args, kwargs, out)

    return counted_if_real


class RealMACCounter(MACCounter):
    """spikingjelly's ``MACCounter`` that treats spike counts as spikes.

    Args:
        count_norm (bool): Also count BatchNorm's affine MACs (spikingjelly's
            default). False assumes BN folded into the conv, as deployed.
            Defaults to False.
        **kwargs: ``MACCounter``'s ``extra_rules``, ``extra_ignore_modules``.
    """

    def __init__(self, count_norm: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if not count_norm:
            self.rules.pop(aten.native_batch_norm.default, None)
        for op, index in ((aten.convolution.default, 0), (aten.mm.default, 0),
                          (aten.addmm.default, 1)):
            self.rules[op] = _real_input_only(self.rules[op], index)


def _counts_as_spikes(rule: Callable, input_index: int) -> Callable:
    """Wrap a binary-spike SynOp rule so that an input of spike counts
    ``x`` costs ``sum_k rule([x >= k])``: a value ``k`` is ``k`` spikes."""

    def count(args, kwargs, out) -> int:
        x = args[input_index]
        levels = spike_count_levels(x)
        if levels is None or levels <= 1:
            return rule(args, kwargs, out)
        total = 0
        for k in range(1, levels + 1):
            spikes = (x >= k).to(x.dtype)
            total += rule(args[:input_index] + (spikes, ) +
                          args[input_index + 1:], kwargs, out)
        return total

    return count


class SpikeCountSynOpCounter(SynOpCounter):
    """spikingjelly's ``SynOpCounter``, extended to spike-count inputs.

    Binary inputs are counted exactly as spikingjelly does (every weight use
    of every spike, borders included); an input value ``k`` counts ``k``
    times. Real-valued inputs count 0 (they are MACs).

    Args:
        **kwargs: ``SynOpCounter``'s ``extra_rules``,
            ``extra_ignore_modules``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for op, index in ((aten.convolution.default, 0), (aten.mm.default, 0),
                          (aten.addmm.default, 1)):
            self.rules[op] = _counts_as_spikes(self.rules[op], index)
