"""Measure a detector's operations and energy on images, and write the
report's files."""
import json
import os
import os.path as osp
from typing import Iterable, List, Optional

import torch.nn as nn
from tqdm import tqdm

from .energy import (CHIP_STEP_TIME, E_AC_45NM, E_MAC_45NM, PAPER_TABLE1,
                     TABLE1_EFFICIENCY, SpikeOpAnalyzer, chip_efficiency)
from .energy_report import plot_energy, plot_firing_rates
from .energy_schema import EnergyReport


def measure_energy(model: nn.Module,
                   batches: Iterable[dict],
                   num_images: Optional[int] = None,
                   e_mac: float = E_MAC_45NM,
                   e_ac: float = E_AC_45NM,
                   step_time: float = CHIP_STEP_TIME,
                   efficiency: float = TABLE1_EFFICIENCY) -> EnergyReport:
    """Run ``batches`` through ``model`` (in eval mode) with a
    :class:`SpikeOpAnalyzer` and report per image.

    Args:
        model (nn.Module): The detector, on its device.
        batches (Iterable[dict]): Data loader batches of one image each.
        num_images (int, optional): Their number, for the progress bar.
        e_mac, e_ac (float): Joules per MAC / accumulate.
        step_time (float): Chip model: seconds per time step.
        efficiency (float): Chip model: FLOPs/s/W.

    Returns:
        EnergyReport: The report, its ``images['input_shapes']`` the
        preprocessed inputs' sizes and ``paper_table1`` the paper's Table 1
        with the chip efficiency that reproduces each energy at
        ``step_time``.
    """
    analyzer = SpikeOpAnalyzer(model.eval())
    shapes = set()
    for batch in tqdm(batches, total=num_images, desc='images', unit='img'):
        data = model.data_preprocessor(batch, False)
        shapes.add(tuple(data['inputs'].shape[2:]))
        analyzer.forward(data['inputs'], data['data_samples'])
    report = analyzer.energy_report(e_mac=e_mac, e_ac=e_ac,
                                    step_time=step_time,
                                    efficiency=efficiency)
    report.images = dict(input_shapes=sorted(map(list, shapes)))
    report.paper_table1 = {
        name: dict(row, efficiency_reproducing_energy_gflops_per_w=round(
            chip_efficiency(row['flops'], row['time_steps'], row['energy'],
                            step_time) / 1e9, 1))
        for name, row in PAPER_TABLE1.items()
    }
    return report


def write_energy_files(report: EnergyReport, out_dir: str) -> List[str]:
    """Write ``energy.json``, ``energy.png`` and (for a spiking model)
    ``firing_rates.png`` to ``out_dir``.

    Args:
        report (EnergyReport): The report.
        out_dir (str): The folder, created if needed.

    Returns:
        list[str]: The names of the files written.
    """
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'energy.json'), 'w') as f:
        json.dump(report.to_dict(), f, indent=2)
    plot_energy(report, osp.join(out_dir, 'energy.png'))
    written = ['energy.json', 'energy.png']
    if report.firing_rates:
        plot_firing_rates(report, osp.join(out_dir, 'firing_rates.png'))
        written.append('firing_rates.png')
    return written
