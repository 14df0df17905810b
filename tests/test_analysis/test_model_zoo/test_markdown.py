"""mmsnn/analysis/model_zoo/markdown.py: rows as a table, in a page."""
import os.path as osp

from mmsnn.analysis.model_zoo import (END, START, ZooRow, markdown,
                                      write_block)
from .zoo_files import ANN, T6


def _cells(line):
    return [c.strip() for c in line.strip('|').split('|')]


def test_cells_as_the_tables_print_them(tmp_path):
    row = ZooRow(label='SNN-YOLOv3', config=T6, dataset='toy set',
                 time_steps=6, neuron='IFNeuron', decoding='mean',
                 map=43.21, protocol='VOC AP@0.5 (11-point)',
                 params=61.6e6, macs_per_step=32.7e9, sops=1.5e8,
                 firing_rate=0.1714, snn_energy_j=8.2e-4,
                 ann_energy_j=0.1505, fps=4.0,
                 notes=['energy: 4 test images at 416x416', 'shared'])
    ann = ZooRow(label='YOLOv3', config=ANN, dataset='toy set', map=12.34,
                 map_50=45.67, ann_energy_j=0.1505, train_s=690)
    text = markdown([row, ann], '2-core CPU', str(tmp_path))
    header, rule, first, second = text.splitlines()
    assert 'FPS (2-core CPU)' in header and rule.count('---') == 16
    assert _cells(first) == [
        'SNN-YOLOv3', '6', 'IFNeuron', 'mean', 'toy set', '43.2',
        'VOC AP@0.5 (11-point)', '61.60', '32.7', '0.15', '0.171',
        '0.82 / 150', '4.0', '-', f'[config]({osp.relpath(T6, tmp_path)})',
        'energy: 4 test images at 416x416; shared']
    assert _cells(second)[1:4] == ['-', '-', '-']
    assert _cells(second)[5] == '12.3 / 45.7'
    assert _cells(second)[9:14] == ['-', '-', '- / 150', '-', '11.5']
    assert _cells(second)[15] == '-'


def test_block_replaced_between_its_markers(tmp_path):
    page = tmp_path / 'README.md'
    page.write_text('# Family\n\nText kept.\n')
    write_block(str(page), 'first table')
    written = page.read_text()
    assert written == f'# Family\n\nText kept.\n\n{START}\nfirst table\n' \
        f'{END}\n'
    page.write_text(written + 'After.\n')
    write_block(str(page), 'second table')
    again = page.read_text()
    assert again.count(START) == 1 and 'first table' not in again
    assert again.endswith(f'{START}\nsecond table\n{END}\nAfter.\n')
    new = tmp_path / 'new.md'
    write_block(str(new), 'x')
    assert new.read_text() == f'{START}\nx\n{END}\n'
