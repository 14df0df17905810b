"""Per-layer operation counts and energy estimates of spiking detectors.

Two energy models:

* **45 nm digital** (the paper's Fig. 4; Horowitz, ISSCC 2014, 32-bit
  float): an ANN costs ``MACs x E_MAC``; an SNN costs ``MACs of layers fed
  real values x E_MAC + SOPs x E_AC``, where SOPs are the synaptic
  operations (accumulates) over all T steps.
* **Neuromorphic chip** (the paper's Table 1, after Spiking-YOLO):
  ``energy = FLOPs x T x step_time / efficiency``. The paper's SNN "FLOPs"
  are operations per time step (0.425 G for SNN-YOLOv3, a synaptic-op
  count); here they are SOPs / T, and for integer-valued neurons (I-LIF,
  largest spike D) SOPs per binary step over ``T x D`` binary steps (the
  energy is the same: SOPs x step_time / efficiency). The paper quotes
  TrueNorth at 300 GFLOPs/W, but its Table 1 energies are reproduced by
  400 GFLOPs/W (see :func:`chip_efficiency` and :data:`PAPER_TABLE1`). The
  formula reads an op count as an op rate (power = FLOPs / efficiency,
  energy = power x run time); it is kept as published so numbers stay
  comparable.

Counting runs under spikingjelly's ``DispatchCounterMode`` with the counters
of :mod:`mmsnn.analysis.op_counters`, per conv / linear module. Time is folded
into the batch (``[T*B, ...]``), so a layer's count over a forward covers all
steps it ran: ``rows`` seen by a layer are ``T*B``, or ``B`` for the encoding
conv that runs once (``SpikingDarknet(encode_once=True)``). Not counted:
BatchNorm (folded into convs at inference), neuron updates, bias adds,
pooling, upsampling and the decoder's mean over T.
"""
import math
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from spikingjelly.activation_based.op_counter import DispatchCounterMode
from torch import Tensor

from ..models.layers.spikeyolo_bricks import reparameterize
from ..models.neurons import spiking_modules
from ..models.neurons.ilif_neuron import set_spike_driven
from ..models.time.folding import folded_time_steps
from ..models.time.owner import time_steps_of
from ..utils.input_error import ConfigValueError
from .activity import REAL_VALUED, ActivityRecorder, stage_of
from .energy_schema import (ChipEstimate, EnergyReport, EnergyTotals,
                            FiringRates, LayerCounts, LayerEnergy,
                            StageEnergy, StepRates)
from .op_counters import (DenseMACCounter, RealMACCounter,
                          SpikeCountSynOpCounter)

#: 32-bit float multiply-accumulate / accumulate at 45 nm, joules.
E_MAC_45NM = 4.6e-12
E_AC_45NM = 0.9e-12
#: TrueNorth's 1 kHz synchronisation: one time step is 1 ms.
CHIP_STEP_TIME = 1e-3
#: Efficiency (FLOPs/W) that reproduces the paper's Table 1 energies.
TABLE1_EFFICIENCY = 400e9
#: Efficiency the paper's text quotes for TrueNorth.
PAPER_TEXT_EFFICIENCY = 300e9
#: The paper's Table 1: FLOPs (per step), T and energy (J) as printed.
PAPER_TABLE1 = {
    'SNN-YOLOv3': dict(map=61.87, time_steps=6, flops=4.25e8, energy=6.38e-6),
    'Spiking-YOLO': dict(
        map=51.83, time_steps=3500, flops=4.90e7, energy=4.29e-4),
}

#: Modules whose ops are counted per layer.
COUNTED_LAYERS = (nn.modules.conv._ConvNd, nn.Linear)


def energy_45nm(macs: float,
                sops: float = 0.,
                e_mac: float = E_MAC_45NM,
                e_ac: float = E_AC_45NM) -> float:
    """Energy in joules of ``macs`` multiply-accumulates and ``sops``
    accumulates."""
    return macs * e_mac + sops * e_ac


def chip_energy(flops: float,
                time_steps: int,
                step_time: float = CHIP_STEP_TIME,
                efficiency: float = TABLE1_EFFICIENCY) -> float:
    """The paper's Table 1 model: ``FLOPs x T x step_time / efficiency``.

    Args:
        flops (float): Operations per time step.
        time_steps (int): T.
        step_time (float): Seconds per step. Defaults to 1 ms.
        efficiency (float): FLOPs per second per watt. Defaults to
            :data:`TABLE1_EFFICIENCY` (400 GFLOPs/W).

    Returns:
        float: Joules.
    """
    if efficiency <= 0 or step_time <= 0:
        raise ValueError('chip_energy: efficiency and step_time must be '
                         f'positive, got {efficiency!r} and {step_time!r}')
    return flops * time_steps * step_time / efficiency


def chip_efficiency(flops: float,
                    time_steps: int,
                    energy: float,
                    step_time: float = CHIP_STEP_TIME) -> float:
    """The efficiency (FLOPs/s/W) that :func:`chip_energy` needs to give
    ``energy``: inverts it to check a published table."""
    return flops * time_steps * step_time / energy


def deployed_form(model: nn.Module, reparameterize_blocks: bool = False,
                  spike_driven: bool = False) -> Optional[str]:
    """Put ``model`` in the form to count, in place.

    Args:
        model (nn.Module): The model (weights loaded).
        reparameterize_blocks (bool): Fold every multi-conv block
            (``RepConv``, ``SepRepConv``) into the one conv it equals at
            inference, as SpikeYOLO's authors count their layers.
        spike_driven (bool): Also send every integer spike (I-LIF) as D
            binary steps (implies the folding).

    Returns:
        str | None: ``'reparameterised'``, ``'reparameterised,
        spike-driven'`` or None (as built), for the report.

    Raises:
        InputError: ``spike_driven`` for a model without I-LIF neurons.
    """
    if not (reparameterize_blocks or spike_driven):
        return None
    reparameterize(model)
    if not spike_driven:
        return 'reparameterised'
    if not set_spike_driven(model, True):
        raise ConfigValueError(
            'spike-driven counting needs integer-valued neurons '
            '(ILIFNeuron); the model has none')
    return 'reparameterised, spike-driven'


@dataclass
class LayerOps(LayerCounts):
    """Operation counts of one conv / linear layer, per image (the fields of
    :class:`~mmsnn.analysis.energy_schema.LayerCounts`), and what follows
    from them.
    """

    @property
    def stage(self) -> str:
        return stage_of(self.name)

    @property
    def sops_rate_estimate(self) -> Optional[float]:
        """``MACs x input rate x steps``: the usual estimate, which ignores
        that spikes near a padded border reach fewer synapses."""
        if self.input_rate is None:
            return None
        return self.macs_per_step * self.input_rate * self.steps

    def ann_energy(self, e_mac: float = E_MAC_45NM) -> float:
        return energy_45nm(self.macs_per_step, e_mac=e_mac)

    def snn_energy(self,
                   e_mac: float = E_MAC_45NM,
                   e_ac: float = E_AC_45NM) -> float:
        return energy_45nm(self.real_macs, self.sops, e_mac, e_ac)

    def as_dict(self, e_mac: float = E_MAC_45NM,
                e_ac: float = E_AC_45NM) -> dict:
        return dict(
            asdict(self),
            stage=self.stage,
            sops_rate_estimate=self.sops_rate_estimate,
            ann_energy_j=self.ann_energy(e_mac),
            snn_energy_j=self.snn_energy(e_mac, e_ac))


class SpikeOpAnalyzer:
    """Counts per-layer MACs and SOPs and firing rates over forwards.

    Each :meth:`forward` runs the model once (``mode='tensor'`` for mmengine
    models) under spikingjelly's ``DispatchCounterMode`` and accumulates; the
    results are per image, averaged over all images seen.

    Args:
        model (nn.Module): A detector (``BaseModel``) or any module.
        count_norm (bool): Count BatchNorm MACs too (see
            :class:`~mmsnn.analysis.op_counters.RealMACCounter`).
            Defaults to False.
    """

    def __init__(self, model: nn.Module, count_norm: bool = False) -> None:
        self.model = model
        self.count_norm = count_norm
        self.layer_names = [
            name for name, m in model.named_modules()
            if isinstance(m, COUNTED_LAYERS)
        ]
        self.inputs = ActivityRecorder(
            ((n, m) for n, m in model.named_modules()
             if isinstance(m, COUNTED_LAYERS)),
            where='input',
            check_values=True)
        self.neurons = ActivityRecorder(spiking_modules(model))
        self.reset()

    @property
    def time_steps(self) -> int:
        """T of the model's time-aware parts (1 for an ANN); mixed models
        built from stock detectors carry it on their parts only."""
        steps = time_steps_of(self.model)
        if len(steps) > 1:
            raise ConfigValueError(
                f'parts of the model disagree on time_steps: {steps}')
        return steps[0] if steps else 1

    def reset(self) -> None:
        self.counters = dict(
            dense=DenseMACCounter(),
            real=RealMACCounter(count_norm=self.count_norm),
            sops=SpikeCountSynOpCounter())
        self.inputs.reset()
        self.neurons.reset()
        self.num_images = 0

    @torch.no_grad()
    def forward(self, inputs: Tensor, data_samples=None):
        """Run and count one batch.

        Args:
            inputs (Tensor): Preprocessed images ``[B, 3, H, W]``, or a
                time-folded sequence ``[T*B, C, H, W]`` (events; tagged with
                its T by the data preprocessor).
            data_samples (list, optional): Passed on to ``BaseModel``s.

        Returns:
            The model's raw outputs.
        """
        with self.inputs, self.neurons, DispatchCounterMode(
                list(self.counters.values())):
            if isinstance(self.model, BaseModel):
                out = self.model(inputs, data_samples, mode='tensor')
            else:
                out = self.model(inputs)
        self.num_images += self._samples_in(inputs, data_samples)
        return out

    @staticmethod
    def _samples_in(inputs: Tensor, data_samples=None) -> int:
        """Samples in a batch: B, also when ``inputs`` folds T steps of
        each sample into its first dimension (``[T*B, ...]``)."""
        if data_samples is not None:
            return len(data_samples)
        return inputs.shape[0] // (folded_time_steps(inputs) or 1)

    def _scope_counts(self, key: str) -> Tuple[Dict[str, float], float]:
        """Per-layer totals of one counter and what no layer holds."""
        # spikingjelly names scopes by the module tree from the called root.
        records = self.counters[key].get_counts()
        root = type(self.model).__name__
        per_layer = {
            name: sum(records.get(f'{root}.{name}', {}).values())
            for name in self.layer_names
        }
        total = self.counters[key].get_total()
        return per_layer, total - sum(per_layer.values())

    def layers(self) -> List[LayerOps]:
        """Per-image counts of every layer that ran, in module order."""
        if not self.num_images:
            raise RuntimeError('SpikeOpAnalyzer: call forward() first')
        counts = {k: self._scope_counts(k) for k in self.counters}
        unattributed = {k: v[1] for k, v in counts.items() if v[1]}
        if unattributed:
            raise RuntimeError(
                'SpikeOpAnalyzer: ops outside any conv/linear module '
                f'({unattributed}); scope names did not match the model '
                f'{type(self.model).__name__}')
        n = self.num_images
        layers = []
        for name in self.layer_names:
            stats = self.inputs.stats[name]
            if not stats.rows:
                continue
            kind = stats.kind
            layers.append(
                LayerOps(
                    name=name,
                    type=type(self.inputs.modules[name]).__name__,
                    input=kind,
                    input_rate=None if kind == REAL_VALUED else stats.rate,
                    steps=stats.rows / n,
                    macs_per_step=counts['dense'][0][name] / stats.rows,
                    real_macs=counts['real'][0][name] / n,
                    sops=counts['sops'][0][name] / n))
        return layers

    def energy_report(self,
                      e_mac: float = E_MAC_45NM,
                      e_ac: float = E_AC_45NM,
                      step_time: float = CHIP_STEP_TIME,
                      efficiency: float = TABLE1_EFFICIENCY) -> EnergyReport:
        """Everything, typed: layers, firing rates, totals, energies.

        Args:
            e_mac, e_ac (float): Joules per MAC / accumulate.
            step_time (float): Chip model: seconds per time step.
            efficiency (float): Chip model: FLOPs/s/W.

        Returns:
            EnergyReport: Per image (``.to_dict()`` for JSON).
        """
        layers = self.layers()
        T = self.time_steps
        macs = sum(layer.macs_per_step for layer in layers)
        real_macs = sum(layer.real_macs for layer in layers)
        sops = sum(layer.sops for layer in layers)
        ann = energy_45nm(macs, e_mac=e_mac)
        snn = energy_45nm(real_macs, sops, e_mac, e_ac)
        sums: Dict[str, Dict[str, float]] = {}
        for layer in layers:
            acc = sums.setdefault(
                layer.stage, dict(macs_per_step=0., sops=0., real_macs=0.))
            acc['macs_per_step'] += layer.macs_per_step
            acc['sops'] += layer.sops
            acc['real_macs'] += layer.real_macs
        stages = {
            name: StageEnergy(
                **acc,
                ann_energy_j=energy_45nm(acc['macs_per_step'], e_mac=e_mac),
                snn_energy_j=energy_45nm(acc['real_macs'], acc['sops'], e_mac,
                                         e_ac))
            for name, acc in sums.items()
        }
        spiking = bool(self.neurons.modules)
        step_rates = self.step_rates() if spiking else None
        steps = step_rates.binary_steps if spiking else T
        chip = ChipEstimate(
            flops_per_step=sops / steps,
            time_steps=steps,
            step_time_s=step_time,
            efficiency_flops_per_w=efficiency,
            energy_j=chip_energy(sops / steps, steps, step_time, efficiency),
            note='FLOPs = SOPs per (binary) time step (the paper\'s SNN '
            'FLOPs); real-valued encoding MACs are left out (off-chip).'
        ) if spiking else None
        return EnergyReport(
            time_steps=T,
            num_images=self.num_images,
            params=sum(p.numel() for p in self.model.parameters()),
            constants=dict(e_mac_j=e_mac, e_ac_j=e_ac),
            layers=[LayerEnergy(**layer.as_dict(e_mac, e_ac))
                    for layer in layers],
            stages=stages,
            firing_rates=FiringRates(
                layers=self.neurons.rates(),
                stages=self.neurons.stage_rates(),
                mean=self.neurons.mean_rate()) if spiking else None,
            totals=EnergyTotals(
                macs_per_step=macs,
                real_macs=real_macs,
                sops=sops,
                ann_energy_j=ann,
                snn_energy_j=snn,
                energy_ratio=ann / snn if snn else math.inf),
            chip=chip,
            step_rates=step_rates)

    def step_rates(self) -> StepRates:
        """Firing rates per integer step (mean count) and per binary step
        (count / D) of every neuron module that ran: D is a neuron's
        ``max_spike_count`` (I-LIF), 1 for binary neurons."""
        stats = {name: s for name, s in self.neurons.stats.items()
                 if s.numel}
        levels = {name: getattr(self.neurons.modules[name],
                                'max_spike_count', 1) for name in stats}
        spikes = sum(s.total for s in stats.values())
        slots = sum(s.numel * levels[n] for n, s in stats.items())
        numel = sum(s.numel for s in stats.values())
        top = max(levels.values(), default=1)
        return StepRates(
            max_spike_count=top,
            integer_steps=self.time_steps,
            binary_steps=self.time_steps * top,
            per_integer_step={n: s.rate for n, s in stats.items()},
            per_binary_step={n: s.rate / levels[n]
                             for n, s in stats.items()},
            mean_per_integer_step=spikes / numel if numel else None,
            mean_per_binary_step=spikes / slots if slots else None)

    def report(self, *args, **kwargs) -> dict:
        """:meth:`energy_report` as a JSON-ready dict (its ``to_dict()``);
        same arguments."""
        return self.energy_report(*args, **kwargs).to_dict()
