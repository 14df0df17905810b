"""Present an energy report (:class:`~mmsnn.analysis.EnergyReport`):
terminal tables and plots. Each function takes the report or its dict
(``energy.json``)."""
import math
from typing import Optional, Union

from terminaltables import AsciiTable

from .energy_schema import EnergyReport, LayerEnergy, as_energy_report

Report = Union[EnergyReport, dict]


def _si(value: Optional[float], unit: str = '') -> str:
    """``3.27e10 -> '32.71 G'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    for factor, prefix in ((1e12, 'T'), (1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if abs(value) >= factor:
            return f'{value / factor:.2f} {prefix}{unit}'
    return f'{value:.4g} {unit}'.rstrip()


def _joules(value: Optional[float]) -> str:
    if value is None:
        return '-'
    for factor, unit in ((1, 'J'), (1e-3, 'mJ'), (1e-6, 'uJ'), (1e-9, 'nJ')):
        if abs(value) >= factor:
            return f'{value / factor:.3f} {unit}'
    return f'{value / 1e-12:.3f} pJ'


def _input(layer: LayerEnergy) -> str:
    if layer.input_rate is None:
        return layer.input
    return f'{layer.input} {layer.input_rate:.4f}'


def format_layer_table(report: Report) -> str:
    """Per-layer table: input (with its rate), steps, MACs/step, SOPs and
    the 45 nm energies, then a total row."""
    rows = [[
        'layer', 'input (rate)', 'steps', 'MACs/step', 'SOPs (all T)',
        'E ANN', 'E SNN'
    ]]
    report = as_energy_report(report)
    for layer in report.layers:
        rows.append([
            layer.name,
            _input(layer), f'{layer.steps:g}',
            _si(layer.macs_per_step),
            _si(layer.sops),
            _joules(layer.ann_energy_j),
            _joules(layer.snn_energy_j)
        ])
    totals = report.totals
    rows.append([
        'total', f'real-valued MACs {_si(totals.real_macs)}',
        str(report.time_steps),
        _si(totals.macs_per_step),
        _si(totals.sops),
        _joules(totals.ann_energy_j),
        _joules(totals.snn_energy_j)
    ])
    table = AsciiTable(rows, title='Operations and 45 nm energy per image')
    for col in range(2, 7):
        table.justify_columns[col] = 'right'
    table.inner_footing_row_border = True
    return table.table


def format_summary(report: Report) -> str:
    """Totals, firing rates and both energy models, as a short table."""
    report = as_energy_report(report)
    t = report.totals
    c = report.constants
    rows = [['quantity', 'value']]
    rows += [
        ['parameters', _si(report.params)],
        ['time steps T', str(report.time_steps)],
        ['dense MACs per step (ANN cost)', _si(t.macs_per_step)],
        ['MACs on real-valued input (SNN)', _si(t.real_macs)],
        ['SOPs over T', _si(t.sops)],
        [f"ANN energy (MACs x {c['e_mac_j'] * 1e12:g} pJ)",
         _joules(t.ann_energy_j)],
        [f"{'SNN' if report.firing_rates else 'as-run'} energy "
         f"(+ SOPs x {c['e_ac_j'] * 1e12:g} pJ)",
         _joules(t.snn_energy_j)],
        ['ANN / SNN energy', f'{t.energy_ratio:.2f} x'],
    ]
    rates = report.firing_rates
    steps = report.step_rates
    if steps and steps.max_spike_count > 1:
        rows += [
            [f'integer steps T / binary steps T x D (D = '
             f'{steps.max_spike_count})',
             f'{steps.integer_steps} / {steps.binary_steps}'],
            ['mean firing rate per integer step (count)',
             f'{steps.mean_per_integer_step:.4f}'],
            ['mean firing rate per binary step',
             f'{steps.mean_per_binary_step:.4f}'],
        ]
    if rates:
        rows.append(['mean firing rate', f'{rates.mean:.4f}'])
        rows += [[f'  {stage}', f'{rate:.4f}']
                 for stage, rate in rates.stages.items()]
    chip = report.chip
    if chip:
        rows += [
            ['chip model FLOPs per step (SOPs / steps)',
             _si(chip.flops_per_step)],
            [f'chip energy (x T x {chip.step_time_s * 1e3:g} ms / '
             f'{chip.efficiency_flops_per_w / 1e9:g} GFLOPs/W)',
             _joules(chip.energy_j)],
        ]
    table = AsciiTable(rows, title='Summary per image')
    table.justify_columns[1] = 'right'
    return table.table


def plot_firing_rates(report: Report, path: str) -> None:
    """Bar chart of every spiking layer's firing rate, coloured by stage."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from .activity import stage_of
    report = as_energy_report(report)
    rates = report.firing_rates.layers if report.firing_rates else {}
    names = list(rates)
    stages = list(dict.fromkeys(stage_of(n) for n in names))
    cmap = plt.get_cmap('tab10')
    colors = [cmap(stages.index(stage_of(n)) % 10) for n in names]
    fig, ax = plt.subplots(figsize=(max(6, 0.12 * len(names) + 2), 3.6))
    ax.bar(range(len(names)), [rates[n] for n in names], color=colors)
    for i, stage in enumerate(stages):
        ax.bar(0, 0, color=cmap(i % 10), label=stage)
    ax.set_xlabel('spiking layer (network order)')
    ax.set_ylabel('firing rate (spikes / neuron / step)')
    mean = report.firing_rates.mean if report.firing_rates else None
    title = 'Firing rate per layer'
    if mean is not None:
        title += f' (network mean {mean:.4f}, T={report.time_steps})'
        ax.axhline(mean, color='k', lw=0.8, ls='--')
    ax.set_title(title)
    ax.set_xlim(-1, max(len(names), 1))
    ax.legend(fontsize=6, ncol=2, loc='upper right')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_energy(report: Report, path: str) -> None:
    """ANN vs SNN energy (as the paper's Fig. 4): totals normalised to the
    ANN, split into MAC and AC energy, and per stage on a log scale."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    report = as_energy_report(report)
    t, c = report.totals, report.constants
    ann = t.ann_energy_j
    snn_mac = t.real_macs * c['e_mac_j']
    snn_ac = t.sops * c['e_ac_j']
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, 3.8), gridspec_kw=dict(width_ratios=[1, 3]))
    left.bar(0, 1., color='tab:blue', label='MAC')
    left.bar(1, snn_mac / ann, color='tab:blue')
    left.bar(1, snn_ac / ann, bottom=snn_mac / ann, color='tab:orange',
             label='AC')
    # The SNN bar is often too small to see: print its parts.
    left.text(1, (snn_mac + snn_ac) / ann + 0.02,
              f'{100 * (snn_mac + snn_ac) / ann:.2f}%\n'
              f'MAC {100 * snn_mac / ann:.2f}%\nAC {100 * snn_ac / ann:.2f}%',
              ha='center', va='bottom', fontsize=8)
    left.set_ylim(0, 1.1)
    left.set_xticks([0, 1], ['ANN', f'SNN (T={report.time_steps})'])
    left.set_ylabel('energy / ANN energy')
    left.set_title(f'ANN / SNN = {t.energy_ratio:.1f} x')
    left.legend(fontsize=8)
    stages = report.stages
    names = list(stages)
    x = range(len(names))
    right.bar([i - 0.2 for i in x],
              [stages[s].ann_energy_j * 1e6 for s in names],
              width=0.4, label='ANN (MAC)')
    snn = [stages[s].snn_energy_j * 1e6 for s in names]
    right.bar([i + 0.2 for i in x], snn, width=0.4, label='SNN (MAC + AC)')
    right.set_yscale('log')
    positive = [v for s in names for v in (stages[s].ann_energy_j * 1e6,
                                             stages[s].snn_energy_j * 1e6)
                if v > 0]
    if positive:  # zero-energy (silent) stages: no bar, a '0' instead
        right.set_ylim(bottom=min(positive) / 10)
        for i, value in enumerate(snn):
            if value == 0:
                right.text(i + 0.2, min(positive) / 8, '0', ha='center',
                           fontsize=7)
    right.set_xticks(list(x), names, rotation=30, ha='right', fontsize=7)
    right.set_ylabel('energy per image (uJ, 45 nm)')
    right.set_title('per stage')
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
