"""Model-zoo rows as an mmdet metafile (``metafile.yml``) and back.

A family's metafile is the results file of its model-zoo table: the table
in its README and docs/model_zoo.md are written from it. Besides mmdet's
fields (``Parameters``, ``Training Time (min)``, ``inference time
(ms/im)``, ``Results``), a model's ``Metadata`` keeps what a spiking row
shows (``Time Steps``, ``Neuron``, ``Decoding``, ``Firing rate``, ``SOPs``,
energies, ``Test Data`` where there are no ``Results``) and where its
numbers come from (``Description``, ``Notes``).
"""
import os
import os.path as osp
from typing import List, Optional, Sequence

from ...utils.input_error import InputError
from .rows import GEN1_PROTOCOL, ZooRow

GEN1_KEYS = ('mAP@[.5:.95] (Gen1 protocol)', 'mAP@.5 (Gen1 protocol)')


def _round_sig(value: float, digits: int = 3) -> float:
    return float(f'{value:.{digits}g}')


def model_entry(row: ZooRow, collection: str,
                hardware: Optional[str]) -> dict:
    """The metafile entry of one row (names and paths relative to the
    current directory: the repository root)."""
    meta = {'Description': row.label}
    if row.params is not None:
        meta['Parameters'] = f'{row.params / 1e6:.2f}M'
    if row.macs_per_step is not None:
        meta['MACs per step'] = f'{row.macs_per_step / 1e9:.3g}G'
    if row.time_steps is not None:
        meta.update({'Time Steps': row.time_steps, 'Neuron': row.neuron,
                     'Decoding': row.decoding})
        if row.firing_rate is not None:
            meta['Firing rate'] = round(row.firing_rate, 4)
        if row.sops is not None:
            meta['SOPs'] = f'{row.sops / 1e9:.3g}G'
    if row.snn_energy_j is not None:
        meta['SNN energy (mJ)'] = _round_sig(row.snn_energy_j * 1e3)
    if row.ann_energy_j is not None:
        meta['ANN energy (mJ)'] = _round_sig(row.ann_energy_j * 1e3)
    if row.train_s is not None:
        meta['Training Time (min)'] = round(row.train_s / 60, 1)
        meta['Training Resources'] = hardware
    if row.fps is not None:
        meta['inference time (ms/im)'] = [{
            'value': round(1e3 / row.fps, 2), 'hardware': hardware,
            'backend': 'PyTorch', 'batch size': row.batch_size,
            'mode': 'FP32'}]
    if row.notes:
        meta['Notes'] = list(row.notes)
    if row.map is None:  # no Results to name it
        meta['Test Data'] = row.dataset
    entry = {
        'Name': osp.splitext(osp.basename(row.config))[0],
        'In Collection': collection,
        'Config': osp.relpath(row.config).replace(os.sep, '/'),
        'Metadata': meta,
    }
    if row.map is not None:
        metrics = {f'mAP ({row.protocol})': round(row.map, 1)}
        if row.map_50 is not None:
            metrics = dict(zip(GEN1_KEYS,
                               (round(row.map, 1), round(row.map_50, 1))))
        entry['Results'] = [{'Task': 'Object Detection',
                             'Dataset': row.dataset, 'Metrics': metrics}]
    return entry


def metafile(rows: Sequence[ZooRow], collection: str,
             readme: Optional[str], hardware: Optional[str]) -> dict:
    """mmdet's metafile (``Collections`` + ``Models``) of the rows.

    Args:
        rows (Sequence[ZooRow]): The rows.
        collection (str): The collection's name.
        readme (str, optional): The collection's README.
        hardware (str, optional): What the timed runs ran on.

    Returns:
        dict: The metafile, for ``yaml.safe_dump(..., sort_keys=False)``.
    """
    return {'Collections': [{'Name': collection, 'README': readme}],
            'Models': [model_entry(r, collection, hardware) for r in rows]}


def _giga(text: str, unit: str, where: str) -> float:
    if not isinstance(text, str) or not text.endswith(unit):
        raise InputError(f'{where}: expected a number ending in {unit!r} '
                         f'(e.g. "0.57{unit}"), got {text!r}')
    return float(text[:-1])


def row_from_entry(entry: dict, path: str = 'metafile') -> ZooRow:
    """The row a metafile entry describes (:func:`model_entry` inverted).

    Args:
        entry (dict): One of the metafile's ``Models``.
        path (str): The metafile, for error messages.

    Returns:
        ZooRow: Its numbers, as rounded in the metafile.
    """
    where = f"{path}, model {entry.get('Name')}"
    meta = entry.get('Metadata') or {}
    row = ZooRow(label=meta.get('Description', entry['Name']),
                 config=entry['Config'], dataset=meta.get('Test Data', '-'),
                 notes=list(meta.get('Notes') or []))
    if 'Parameters' in meta:
        row.params = _giga(meta['Parameters'], 'M', where) * 1e6
    if 'MACs per step' in meta:
        row.macs_per_step = _giga(meta['MACs per step'], 'G', where) * 1e9
    if 'Time Steps' in meta:
        row.time_steps = meta['Time Steps']
        row.neuron, row.decoding = meta.get('Neuron'), meta.get('Decoding')
    if 'SOPs' in meta:
        row.sops = _giga(meta['SOPs'], 'G', where) * 1e9
    row.firing_rate = meta.get('Firing rate')
    for key, attr in (('SNN energy (mJ)', 'snn_energy_j'),
                      ('ANN energy (mJ)', 'ann_energy_j')):
        if key in meta:
            setattr(row, attr, meta[key] / 1e3)
    if 'Training Time (min)' in meta:
        row.train_s = meta['Training Time (min)'] * 60
    for timing in meta.get('inference time (ms/im)') or []:
        row.fps, row.batch_size = 1e3 / timing['value'], \
            timing.get('batch size')
    for result in entry.get('Results') or []:
        row.dataset = result['Dataset']
        metrics = result['Metrics']
        if GEN1_KEYS[0] in metrics:
            row.map, row.map_50 = (metrics[k] for k in GEN1_KEYS)
            row.protocol = GEN1_PROTOCOL
        else:
            (key, row.map), = metrics.items()
            if not key.startswith('mAP (') or not key.endswith(')'):
                raise InputError(f'{where}: a metric named "mAP '
                                 f'(<protocol>)" was expected, got {key!r}')
            row.protocol = key[len('mAP ('):-1]
    return row


def rows_from_metafile(meta: dict, path: str = 'metafile') -> List[ZooRow]:
    """The rows of a metafile's ``Models``."""
    return [row_from_entry(entry, path) for entry in meta.get('Models', [])]


def hardware_of(meta: dict) -> Optional[str]:
    """The hardware a metafile's timings ran on (its first named one)."""
    for entry in meta.get('Models', []):
        data = entry.get('Metadata') or {}
        for timing in data.get('inference time (ms/im)') or []:
            return timing.get('hardware')
        if data.get('Training Resources'):
            return data['Training Resources']
    return None
