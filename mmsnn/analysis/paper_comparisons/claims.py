"""The comparisons' statistics over seeds and the paper's claims, each
stated as holding or not, with the numbers."""
import statistics
from typing import Iterable, List, Tuple


def mean_std(values: Iterable[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for one value)."""
    values = list(values)
    if len(values) == 1:
        return values[0], 0.
    return statistics.mean(values), statistics.stdev(values)


def fmt_map(values: Iterable[float]) -> str:
    """mAPs as percent, ``'mean ± std'`` (one value: itself)."""
    values = list(values)
    m, s = mean_std(values)
    return f'{100 * m:.2f} ± {100 * s:.2f}' if len(values) > 1 else \
        f'{100 * m:.2f}'


def sg_summary(sg: dict) -> dict:
    """Per variant: best mAPs over seeds, mean ops.

    Args:
        sg (dict): ``label -> dict(variant, runs)`` of the SG runs.

    Returns:
        dict: ``label -> dict(best, time_steps, ops)``.
    """
    out = {}
    for label, entry in sg.items():
        runs = entry['runs']
        ops = {k: statistics.mean(r['ops'][k] for r in runs)
               for k in ('macs_per_step', 'real_macs', 'sops',
                         'energy_45nm_j', 'ann_energy_45nm_j')}
        chip = [r['ops']['chip_energy_j'] for r in runs
                if r['ops']['chip_energy_j'] is not None]
        ops['chip_energy_j'] = statistics.mean(chip) if chip else None
        out[label] = dict(best=[r['best_map'] for r in runs],
                          time_steps=entry['variant']['time_steps'], ops=ops)
    return out


def claims(summary: dict, conversion: dict) -> List[dict]:
    """The paper's claims, each with whether it holds here and why.

    Args:
        summary (dict): :func:`sg_summary` of the SG runs.
        conversion (dict): The conversion's report (``results`` per T with
            ``map`` and ``energy_45nm_j``).

    Returns:
        list[dict]: ``claim``, ``holds``, ``numbers`` and (for the
        comparison with the conversion) ``note``.
    """
    def m(label):
        return mean_std(summary[label]['best'])

    out = []
    (c6, s6), (r6, sr) = m('SG+CMD T=6'), m('SG+rate T=6')
    out.append(dict(
        claim='CMD beats rate decoding (T=6)', holds=c6 > r6,
        numbers=f'SG+CMD T=6 best mAP {100 * c6:.2f} ± {100 * s6:.2f} vs '
        f'SG+rate T=6 {100 * r6:.2f} ± {100 * sr:.2f}' +
        ('' if abs(c6 - r6) > s6 + sr else
         ' (the gap is within one spread of each)')))
    c4, s4 = m('SG+CMD T=4')
    out.append(dict(
        claim='T=6 is at least as good as T=4 (CMD)', holds=c6 >= c4,
        numbers=f'T=6 {100 * c6:.2f} ± {100 * s6:.2f} vs T=4 '
        f'{100 * c4:.2f} ± {100 * s4:.2f}' +
        ('' if abs(c6 - c4) > s6 + s4 else
         ' (the gap is within one spread of each)')))
    best_label = max(('SG+CMD T=4', 'SG+CMD T=6'), key=lambda k: m(k)[0])
    sg_map = m(best_label)[0]
    sg_e = summary[best_label]['ops']['energy_45nm_j']
    long_runs = [r for r in conversion['results'] if r['time_steps'] >= 100]
    rows = long_runs or conversion['results'][-1:]
    beaten = all(sg_map >= r['map'] for r in rows)
    cheaper = all(sg_e < r['energy_45nm_j'] for r in rows)
    detail = '; '.join(
        f"T={r['time_steps']}: {100 * r['map']:.2f} mAP, "
        f"{r['energy_45nm_j'] * 1e6:.3g} uJ" for r in rows)
    parts = [('its mAP is at least the conversion\'s' if beaten else
              'the conversion scores higher') + ' at every T listed',
             'it uses less energy than each' if cheaper else
             'it does not use less energy than each']
    # where the conversion spends about the SG run's energy: the fair
    # comparison at equal cost, stated beside the claim (not part of it)
    same_cost = next((r for r in conversion['results']
                      if r['energy_45nm_j'] >= sg_e), None)
    note = None if same_cost is None else (
        f"the conversion's first T that spends at least that energy (T="
        f"{same_cost['time_steps']}, {same_cost['energy_45nm_j'] * 1e6:.3g}"
        f" uJ) scores {100 * same_cost['map']:.2f} mAP")
    out.append(dict(
        claim='SG+CMD at T<=6 matches or beats the conversion at hundreds '
        'to thousands of steps, at a fraction of the energy',
        holds=beaten and cheaper,
        numbers=f'{best_label}: {100 * sg_map:.2f} mAP, {sg_e * 1e6:.3g} uJ '
        f'(45 nm) vs conversion {detail}' +
        ('' if long_runs else ' (no T >= 100 in this sweep)') +
        f'; {parts[0]}, and {parts[1]}',
        note=note))
    return out
