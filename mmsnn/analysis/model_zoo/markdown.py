"""Model-zoo rows as an mmdet-style Markdown table, written into a page."""
import os
import os.path as osp
from typing import Optional, Sequence

from .rows import ZooRow

#: The markers between which a page holds a generated table.
START, END = '<!-- benchmark_table:start -->', '<!-- benchmark_table:end -->'


def _fmt(value: Optional[float], spec: str, scale: float = 1.) -> str:
    return '-' if value is None else format(value * scale, spec)


def row_cells(row: ZooRow, link: str) -> list:
    """The 16 cells of a row, numbers as the tables print them."""
    spiking = row.time_steps is not None
    map_text = _fmt(row.map, '.1f')
    if row.map_50 is not None:
        map_text += f' / {row.map_50:.1f}'
    energy = '-' if row.ann_energy_j is None else (
        f"{_fmt(row.snn_energy_j, '.3g', 1e3)} / "
        f"{_fmt(row.ann_energy_j, '.3g', 1e3)}")
    return [
        row.label, str(row.time_steps) if spiking else '-',
        row.neuron or '-', row.decoding or '-', row.dataset, map_text,
        row.protocol or '-', _fmt(row.params, '.2f', 1e-6),
        _fmt(row.macs_per_step, '.3g', 1e-9), _fmt(row.sops, '.3g', 1e-9),
        _fmt(row.firing_rate, '.3g'), energy, _fmt(row.fps, '.1f'),
        _fmt(row.train_s, '.1f', 1 / 60), f'[config]({link})',
        '; '.join(row.notes) or '-'
    ]


def markdown(rows: Sequence[ZooRow], hardware: str, out_dir: str) -> str:
    """An mmdet-style Markdown table of the rows.

    Args:
        rows (Sequence[ZooRow]): The rows.
        hardware (str): What the timed runs ran on (in the FPS column's
            name; '' for none).
        out_dir (str): The folder of the page: config links are relative
            to it.

    Returns:
        str: The table.
    """
    fps = f'FPS ({hardware})' if hardware else 'FPS'
    lines = [
        '| Model | T | Neuron | Decoding | Data set | mAP (%) | Protocol '
        '| Params (M) | MACs/step (G) | SOPs (G) | Firing rate '
        f'| Energy SNN / ANN (mJ) | {fps} | Train time (min) | Config '
        '| Notes |',
        '|' + ' --- |' * 16,
    ]
    for row in rows:
        link = osp.relpath(row.config, out_dir).replace(os.sep, '/')
        lines.append('| ' + ' | '.join(row_cells(row, link)) + ' |')
    return '\n'.join(lines)


def replace_block(old: str, text: str) -> str:
    """``old`` with ``text`` between its markers (appended with markers when
    it has none)."""
    block = f'{START}\n{text}\n{END}'
    if START in old and END in old:
        head, rest = old.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return (old.rstrip('\n') + '\n\n' if old else '') + block + '\n'


def write_block(path: str, text: str) -> None:
    """Put ``text`` between the markers of the file ``path`` (created if
    needed)."""
    old = ''
    if osp.isfile(path):
        with open(path) as f:
            old = f.read()
    with open(path, 'w') as f:
        f.write(replace_block(old, text))
