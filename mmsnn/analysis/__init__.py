"""Spike activity, operation counts and energy estimates of SNN models."""
from .activity import ActivityRecorder, ActivityStats, stage_of
from .ann_twin import build_ann_twin
from .benchmark import per_step_loss, run_benchmark
from .energy import (CHIP_STEP_TIME, E_AC_45NM, E_MAC_45NM, PAPER_TABLE1,
                     PAPER_TEXT_EFFICIENCY, TABLE1_EFFICIENCY, LayerOps,
                     SpikeOpAnalyzer, chip_efficiency, chip_energy,
                     deployed_form, energy_45nm)
from .energy_schema import (ChipEstimate, EnergyReport, EnergyTotals,
                            FiringRates, LayerEnergy, StageEnergy, StepRates)
from .op_counters import (DenseMACCounter, RealMACCounter,
                          SpikeCountSynOpCounter, spike_count_levels)

__all__ = [
    'ActivityRecorder', 'ActivityStats', 'stage_of', 'CHIP_STEP_TIME',
    'E_AC_45NM', 'E_MAC_45NM', 'PAPER_TABLE1', 'PAPER_TEXT_EFFICIENCY',
    'TABLE1_EFFICIENCY', 'LayerOps', 'SpikeOpAnalyzer', 'chip_efficiency',
    'chip_energy', 'deployed_form', 'energy_45nm', 'DenseMACCounter',
    'RealMACCounter', 'SpikeCountSynOpCounter', 'spike_count_levels',
    'build_ann_twin', 'per_step_loss', 'run_benchmark', 'ChipEstimate',
    'EnergyReport', 'EnergyTotals', 'FiringRates', 'LayerEnergy',
    'StageEnergy', 'StepRates'
]
