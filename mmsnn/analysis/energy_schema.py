"""The energy report's one typed schema.

:class:`EnergyReport` is what :meth:`SpikeOpAnalyzer.energy_report` returns,
what ``tools/analysis_tools/get_energy.py`` writes as ``energy.json``
(:meth:`EnergyReport.to_dict`), and what the tables and plots
(:mod:`mmsnn.analysis.energy_report`) and
``tools/analysis_tools/benchmark_table.py`` read back
(:meth:`EnergyReport.load`). A file that does not fit is refused with an
error naming the file and the field.
"""
import json
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Union

from ..utils.input_error import InputError


@dataclass
class LayerCounts:
    """Operation counts of one conv / linear layer, per image.

    Attributes:
        name (str): Module name, e.g. ``'backbone.conv1.conv'``.
        type (str): Module class.
        input (str): ``'real-valued'``, ``'spikes'`` or ``'spike counts'``.
        input_rate (float, optional): Mean input value per neuron and step
            (the firing rate for spikes, the mean count for counts); None for
            real-valued input.
        steps (float): Times the layer ran per image (T, or 1 for the
            encoding conv computed once).
        macs_per_step (float): Dense MACs of one step: the ANN cost.
        real_macs (float): MACs executed on real-valued input, all steps.
        sops (float): Synaptic operations (accumulates), all steps.
    """
    name: str
    type: str
    input: str
    input_rate: Optional[float]
    steps: float
    macs_per_step: float
    real_macs: float
    sops: float


@dataclass
class LayerEnergy(LayerCounts):
    """:class:`LayerCounts` with the layer's stage and 45 nm energies, as
    the report stores them.

    Attributes:
        stage (str): Its stage (``'backbone.conv_res_block3'``, ``'neck'``).
        sops_rate_estimate (float, optional): ``MACs x rate x steps``.
        ann_energy_j (float): ``macs_per_step x E_MAC``.
        snn_energy_j (float): ``real_macs x E_MAC + sops x E_AC``.
    """
    stage: str
    sops_rate_estimate: Optional[float]
    ann_energy_j: float
    snn_energy_j: float


@dataclass
class StageEnergy:
    """The layers of one stage, summed (per image)."""
    macs_per_step: float
    sops: float
    real_macs: float
    ann_energy_j: float
    snn_energy_j: float


@dataclass
class EnergyTotals:
    """The whole model (per image); ``energy_ratio`` is ANN / SNN."""
    macs_per_step: float
    real_macs: float
    sops: float
    ann_energy_j: float
    snn_energy_j: float
    energy_ratio: float


@dataclass
class FiringRates:
    """Spikes per neuron and step (mean counts for integer neurons):
    per neuron module, per stage and for the whole network."""
    layers: Dict[str, float]
    stages: Dict[str, float]
    mean: Optional[float]


@dataclass
class StepRates:
    """Firing rates per integer step and per binary step, named.

    An integer-valued neuron (I-LIF) with largest spike D fires a count in
    ``0..D`` per time step (integer step); spike-driven inference sends it
    as D binary steps of at most one spike each. A binary neuron has D = 1
    and both rates equal.

    Attributes:
        max_spike_count (int): D (the largest over the neurons; 1 for
            binary neurons).
        integer_steps (int): T.
        binary_steps (int): T x D.
        per_integer_step (dict[str, float]): Mean spike count per neuron
            and time step, per neuron module, in ``[0, D]``: what SpikeYOLO's
            ``test.py`` prints and its ``power_cal.xlsx`` multiplies.
        per_binary_step (dict[str, float]): Spikes per neuron and binary
            step, per neuron module, in ``[0, 1]``: the count over D.
        mean_per_integer_step, mean_per_binary_step (float, optional): The
            network's (all spikes over all neuron-steps).
    """
    max_spike_count: int
    integer_steps: int
    binary_steps: int
    per_integer_step: Dict[str, float]
    per_binary_step: Dict[str, float]
    mean_per_integer_step: Optional[float]
    mean_per_binary_step: Optional[float]


@dataclass
class ChipEstimate:
    """The paper's Table 1 model: ``FLOPs x T x step_time / efficiency``."""
    flops_per_step: float
    time_steps: int
    step_time_s: float
    efficiency_flops_per_w: float
    energy_j: float
    note: str = ''


@dataclass
class EnergyReport:
    """Everything :class:`~mmsnn.analysis.SpikeOpAnalyzer` measured, per
    image, and where it came from.

    Attributes:
        time_steps (int): T (1 for an ANN).
        num_images (int): Images counted.
        params (int): Parameters of the model.
        constants (dict): ``e_mac_j`` and ``e_ac_j``.
        layers (list[LayerEnergy]): Every counted layer, in module order.
        stages (dict[str, StageEnergy]): Per stage.
        totals (EnergyTotals): The whole model.
        firing_rates (FiringRates, optional): None for an ANN.
        chip (ChipEstimate, optional): None for an ANN.
        config, checkpoint (str, optional): What ran (set by the tool).
        images (dict, optional): Where the images came from (``kind``:
            ``'test set'`` or ``'synthetic'``, ``images``,
            ``input_shapes``, ...).
        paper_table1 (dict, optional): The paper's Table 1 for comparison.
        step_rates (StepRates, optional): Firing rates per integer and per
            binary step (None for an ANN, and in reports written before
            they were added).
        model_form (str, optional): What ran, if not the model as built
            (set by the tool): ``'reparameterised'`` (multi-conv blocks
            folded into one conv each) or ``'reparameterised, spike-driven'``
            (integer spikes sent as binary steps).
    """
    time_steps: int
    num_images: int
    params: int
    constants: Dict[str, float]
    layers: List[LayerEnergy]
    stages: Dict[str, StageEnergy]
    totals: EnergyTotals
    firing_rates: Optional[FiringRates] = None
    chip: Optional[ChipEstimate] = None
    config: Optional[str] = None
    checkpoint: Optional[str] = None
    images: Optional[Dict[str, Any]] = None
    paper_table1: Optional[Dict[str, Any]] = None
    step_rates: Optional[StepRates] = None
    model_form: Optional[str] = None

    def to_dict(self) -> dict:
        """JSON-ready, as ``energy.json`` holds it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict,
                  source: str = 'energy report') -> 'EnergyReport':
        """Read a report written by :meth:`to_dict` (e.g. ``energy.json``).

        Raises:
            InputError: Naming ``source`` and the missing or malformed
                field.
        """
        try:
            return cls(
                time_steps=data['time_steps'],
                num_images=data['num_images'],
                params=data['params'],
                constants=dict(data['constants']),
                layers=[LayerEnergy(**layer) for layer in data['layers']],
                stages={k: StageEnergy(**v)
                        for k, v in data['stages'].items()},
                totals=EnergyTotals(**data['totals']),
                firing_rates=None if data.get('firing_rates') is None else
                FiringRates(**data['firing_rates']),
                chip=None if data.get('chip') is None else ChipEstimate(
                    **data['chip']),
                config=data.get('config'),
                checkpoint=data.get('checkpoint'),
                images=data.get('images'),
                paper_table1=data.get('paper_table1'),
                step_rates=None if data.get('step_rates') is None else
                StepRates(**data['step_rates']),
                model_form=data.get('model_form'))
        except KeyError as e:
            raise InputError(
                f'{source}: not an energy report of get_energy.py: the field '
                f'{e.args[0]!r} is missing (write it with '
                'tools/analysis_tools/get_energy.py --out-dir DIR)') from e
        except (TypeError, AttributeError) as e:
            raise InputError(f'{source}: a field of the energy report does '
                             f'not have the expected layout: {e}') from e

    @classmethod
    def load(cls, path: str) -> 'EnergyReport':
        """Read ``energy.json`` (``get_energy.py --out-dir``)."""
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f'energy report {path}: cannot read it as JSON '
                             f'({type(e).__name__}: {e})') from e
        if not isinstance(data, dict):
            raise InputError(f'energy report {path}: expected a JSON object, '
                             f'got {type(data).__name__}')
        return cls.from_dict(data, source=f'energy report {path}')


def as_energy_report(report: Union[EnergyReport, dict]) -> EnergyReport:
    """``report`` itself, or the report a dict of :meth:`to_dict` holds."""
    return report if isinstance(report, EnergyReport) else \
        EnergyReport.from_dict(report)
