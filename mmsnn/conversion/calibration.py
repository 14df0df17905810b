"""Channel-wise percentiles of activations: Spiking-YOLO's data-based
normalisation factors."""
from typing import Dict, Iterable, Optional

import torch
import torch.nn as nn
from torch import Tensor


def channel_percentile(samples: Tensor, percentile: float) -> Tensor:
    """Per-row percentile with linear interpolation (numpy's default).

    Works on any size (``torch.quantile`` refuses inputs above 2**24
    elements).

    Args:
        samples (Tensor): ``[C, N]``.
        percentile (float): In [0, 100].

    Returns:
        Tensor: ``[C]``.
    """
    if not 0 <= percentile <= 100:
        raise ValueError(f'percentile must be in [0, 100], got {percentile}')
    values = samples.sort(dim=1).values
    pos = percentile / 100 * (values.shape[1] - 1)
    lo, hi = int(pos), min(int(pos) + 1, values.shape[1] - 1)
    frac = pos - lo
    return values[:, lo] * (1 - frac) + values[:, hi] * frac


class ChannelPercentileRecorder:
    """Records the outputs of modules per channel and gives their
    percentiles.

    Use as a context manager around ANN forwards. Each module keeps at most
    ``max_samples`` values per channel: beyond that a uniformly random
    subset (seeded) is kept, so percentiles are exact up to that many
    positions (images x height x width) and estimates beyond.

    Args:
        modules (dict[str, nn.Module]): Name -> module whose output
            ``[B, C, ...]`` is recorded.
        max_samples (int): Values kept per channel. Defaults to 200000.
        seed (int): Seed of the subsampling. Defaults to 0.
    """

    def __init__(self,
                 modules: Dict[str, nn.Module],
                 max_samples: int = 200000,
                 seed: int = 0) -> None:
        self.modules = modules
        self.max_samples = max_samples
        self.generator = torch.Generator().manual_seed(seed)
        self.samples: Dict[str, Optional[Tensor]] = {n: None for n in modules}
        self.handles = []

    def _record(self, name: str, output: Tensor) -> None:
        x = output.detach().float().transpose(0, 1).reshape(
            output.shape[1], -1).cpu()
        old = self.samples[name]
        x = x if old is None else torch.cat([old, x], dim=1)
        if x.shape[1] > self.max_samples:
            keep = torch.randperm(x.shape[1], generator=self.generator)
            x = x[:, keep[:self.max_samples]]
        self.samples[name] = x

    def __enter__(self) -> 'ChannelPercentileRecorder':
        for name, module in self.modules.items():
            self.handles.append(module.register_forward_hook(
                lambda m, i, o, name=name: self._record(name, o)))
        return self

    def __exit__(self, *exc) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def percentiles(self, percentile: float) -> Dict[str, Tensor]:
        """``{name: [C]}`` percentiles of everything recorded."""
        missing = [n for n, s in self.samples.items() if s is None]
        if missing:
            raise RuntimeError(f'no activations recorded for {missing[0]!r} '
                               f'({len(missing)} modules): did the '
                               'calibration forward reach them?')
        return {n: channel_percentile(s, percentile)
                for n, s in self.samples.items()}


def normalisation_factors(percentiles: Tensor,
                          samples: Optional[Tensor] = None) -> Tensor:
    """Make percentiles usable as thresholds: a channel whose percentile is
    not positive (it hardly ever fires in the ANN) gets its largest absolute
    activation, or 1 if it was always 0.

    Args:
        percentiles (Tensor): ``[C]``.
        samples (Tensor, optional): ``[C, N]`` recorded activations.
    """
    lam = percentiles.clone()
    bad = ~(lam > 0)
    if bad.any():
        fallback = (samples.abs().amax(dim=1) if samples is not None else
                    torch.ones_like(lam))
        fallback = torch.where(fallback > 0, fallback,
                               torch.ones_like(fallback))
        lam[bad] = fallback[bad]
    return lam


def run_calibration(forward, batches: Iterable, max_batches: int) -> int:
    """Call ``forward(batch)`` on up to ``max_batches`` batches; returns how
    many ran."""
    n = 0
    with torch.no_grad():
        for batch in batches:
            if n >= max_batches:
                break
            forward(batch)
            n += 1
    return n
