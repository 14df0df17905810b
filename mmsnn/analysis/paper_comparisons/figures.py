"""The comparisons' figures: the analogues of the paper's Fig. 2 (mAP
against epoch) and Fig. 4 (MAC and AC energy)."""
import statistics

from ..energy import E_AC_45NM, E_MAC_45NM
from .presets import FIG2


def plot_fig2(sg: dict, path: str) -> None:
    """mAP against epoch of the Fig. 2 runs (mean over seeds, band from
    the least to the most), as a PNG at ``path``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for label in FIG2:
        runs = sg[label]['runs']
        epochs = [c['epoch'] for c in runs[0]['curve']]
        per_epoch = list(zip(*[[c['map'] * 100 for c in r['curve']]
                               for r in runs]))
        mean = [statistics.mean(v) for v in per_epoch]
        ax.plot(epochs, mean, marker='o', label=label)
        ax.fill_between(epochs, [min(v) for v in per_epoch],
                        [max(v) for v in per_epoch], alpha=0.2)
    ax.set_xticks(epochs)
    ax.set_xlabel('epoch')
    ax.set_ylabel('mAP@0.5 (%)')
    ax.set_title('mAP vs epoch (mean, band: min-max over seeds)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_fig4(rows: list, path: str) -> None:
    """MAC and AC energy per image of every row of the energy table
    (:func:`~mmsnn.analysis.paper_comparisons.report.energy_rows`),
    stacked on a log axis, as a PNG at ``path``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    labels = [r['label'] for r in rows]
    mac = [r['real_macs'] * E_MAC_45NM * 1e6 for r in rows]
    ac = [r['sops'] * E_AC_45NM * 1e6 for r in rows]
    ax.bar(labels, mac, label='MAC energy (4.6 pJ)')
    ax.bar(labels, ac, bottom=mac, label='AC energy (0.9 pJ)')
    ax.set_yscale('log')
    # down to the smallest part, so every stack shows both (log axis)
    ax.set_ylim(bottom=0.5 * min(v for v in mac + ac if v > 0))
    ax.set_ylabel('energy per image (uJ, 45 nm)')
    ax.set_title('MAC vs AC energy per image')
    ax.legend()
    plt.setp(ax.get_xticklabels(), rotation=30, ha='right')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
