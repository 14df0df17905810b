"""The comparisons' write-up: a Markdown page with the figures, tables and
claims, every number from the stored runs."""
import os
import os.path as osp
import statistics

from .claims import claims, fmt_map, sg_summary
from .figures import plot_fig2, plot_fig4
from .presets import THRESHOLD_DECAY


def energy_rows(ann: dict, summary: dict, conversion: dict) -> list:
    """The rows of the Table 1 analogue: the ANN twin, each SG variant
    (:func:`sg_summary`) and the conversion at each T, with mAP, T, MACs,
    SOPs and energies."""
    rows = [dict(label='ANN twin', mAP=f"{100 * ann['map']:.2f}", T='-',
                 macs_per_step=ann['ops']['macs_per_step'],
                 real_macs=ann['ops']['macs_per_step'], sops=0.,
                 energy=ann['ops']['ann_energy_45nm_j'], chip=None)]
    for label, s in summary.items():
        rows.append(dict(label=label, mAP=fmt_map(s['best']),
                         T=s['time_steps'], **{
                             k: s['ops'][k]
                             for k in ('macs_per_step', 'real_macs', 'sops')
                         }, energy=s['ops']['energy_45nm_j'],
                         chip=s['ops']['chip_energy_j']))
    for r in conversion['results']:
        rows.append(dict(label=f"Spiking-YOLO T={r['time_steps']}",
                         mAP=f"{100 * r['map']:.2f}", T=r['time_steps'],
                         macs_per_step=r['macs_per_step'],
                         real_macs=r['real_macs'], sops=r['sops'],
                         energy=r['energy_45nm_j'], chip=r['chip_energy_j']))
    return rows


def write_report(results: dict, out: str, script: str) -> None:
    """Write the Markdown page ``out`` and its two PNGs beside it
    (``<stem>_fig2.png``, ``<stem>_fig4.png``).

    Args:
        results (dict): ``meta``, ``ann``, ``sg`` and ``conversion``, as
            stored in ``results.json``.
        out (str): The page to write.
        script (str): The command that made it, for the page's first line.
    """
    ann, sg, conv = results['ann'], results['sg'], results['conversion']
    meta = results['meta']
    summary = sg_summary(sg)
    out_dir = osp.dirname(osp.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(out))[0]
    fig2, fig4 = f'{stem}_fig2.png', f'{stem}_fig4.png'
    plot_fig2(sg, osp.join(out_dir, fig2))
    rows = energy_rows(ann, summary, conv)
    plot_fig4(rows, osp.join(out_dir, fig4))
    eff = conv['chip_efficiency_flops_per_w'] / 1e9
    cost = meta['sg_seconds'] + conv['seconds'] + ann['seconds']
    lines = [
        '# The paper\'s comparisons, reproduced',
        '',
        f'Written by `{script}`; every '
        'number below is from the runs it made and stored in '
        f'`{meta["work_dir"]}/runs/` (a run is reused only by an invocation '
        'with the same settings); all of them together are in '
        f'[{stem}.json]({stem}.json), a copy of '
        f'`{meta["work_dir"]}/results.json`.',
        '',
        f'- data set: {meta["dataset"]}; protocol: {ann["protocol"]} on '
        'its test split',
        f'- hardware: {meta["hardware"]}',
        f'- seeds of the SG runs: {meta["seeds"]} (learnable threshold: '
        f'{meta["threshold_seeds"]}); schedule: '
        f'{meta["epochs"]} epochs each from the ANN twin '
        f'(`{meta["ann_checkpoint"]}`), config `{meta["snn_config"]}`',
        f'- command: `{meta["command"]}`',
        f'- cost: {cost / 3600:.2f} h of runs, each in one process '
        f'(SG runs {meta["sg_seconds"] / 3600:.2f} h, conversion '
        f'{conv["seconds"] / 3600:.2f} h, ANN twin {ann["seconds"] / 60:.1f}'
        f' min); run {meta["jobs"]} at a time',
        f'- energy: per image over {ann["ops"]["images"]} test images; '
        '45 nm = real-valued MACs x 4.6 pJ + SOPs x 0.9 pJ; chip model = '
        f'SOPs/T x T x 1 ms / {eff:g} GFLOPs/W (the paper\'s Table 1 '
        'formula)',
        '',
        '## Fig. 2: decoding and time steps',
        '',
        f'![mAP against epoch]({fig2})',
        '',
        '| run | T | best mAP (%) | per seed | final mAP (%) | '
        'mAP by epoch (%, mean) |',
        '| --- | --- | --- | --- | --- | --- |',
    ]
    for label, entry in sg.items():
        runs = entry['runs']
        by_epoch = [statistics.mean(c['map'] for c in epoch)
                    for epoch in zip(*[r['curve'] for r in runs])]
        lines.append(
            f"| {label} | {entry['variant']['time_steps']} | "
            f"{fmt_map(r['best_map'] for r in runs)} | "
            + ', '.join(f"{100 * r['best_map']:.2f}" for r in runs) +
            f" | {fmt_map(r['final_map'] for r in runs)} | "
            + ', '.join(f'{100 * m:.2f}' for m in by_epoch) + ' |')
    lines += [
        '',
        'mean ± standard deviation over seeds; the learnable threshold '
        f'(weight decay {THRESHOLD_DECAY:g} on the thresholds) is the '
        'ablation.',
        '',
    ]
    if any(v['decode_mode'] == 'rate' for v in
           (e['variant'] for e in sg.values())):
        lines += [
            'Rate decoding reads the firing rate of neurons driven by the '
            'prediction currents, as the paper describes it: outputs in '
            '[0, 1], in steps of 1/T. A YOLOv3 head\'s objectness and class '
            'logits then never go below 0 (sigmoid at least 0.5 at every '
            'anchor, so the background\'s objectness loss cannot fall below '
            'log 2 per anchor) and its log box sizes never below 0 (no box '
            'smaller than its anchor). The paper does not say how it maps '
            'rates to outputs.',
            '',
        ]
    lines += [
        '## Table 1: surrogate gradients against conversion',
        '',
        '| method | mAP (%) | T | MACs/step (G) | real-valued MACs (G) | '
        'SOPs (G) | 45 nm energy (uJ) | chip energy (uJ) |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ]
    for r in rows:
        chip = '-' if r['chip'] is None else f"{r['chip'] * 1e6:.4g}"
        lines.append(
            f"| {r['label']} | {r['mAP']} | {r['T']} | "
            f"{r['macs_per_step'] / 1e9:.4g} | {r['real_macs'] / 1e9:.4g} | "
            f"{r['sops'] / 1e9:.4g} | {r['energy'] * 1e6:.4g} | {chip} |")
    lines += [
        '',
        'SG rows: mean over seeds of the best epoch\'s mAP, ops of the final '
        'models. Conversion: calibrated on '
        f'{conv["calib_images"]} training images at the '
        f'{conv["percentile"]:g}th percentile, one simulation recorded at '
        'each T.',
        '',
        '## Fig. 4: MAC and AC energy',
        '',
        f'![MAC vs AC energy]({fig4})',
        '',
        '## The paper\'s claims on this data',
        '',
    ]
    for c in claims(summary, conv):
        lines.append(f"- **{c['claim']}**: "
                     f"{'holds' if c['holds'] else 'does not hold'} "
                     f"({c['numbers']})." +
                     (f" Beside the claim: {c['note']}." if c.get('note')
                      else ''))
    lines.append('')
    with open(out, 'w') as f:
        f.write('\n'.join(lines))
