"""The comparison of SNN detectors on the mini data sets: its results file
and the table written from it.

The results file (``docs/model_zoo_comparison.json``) holds the table's
rows (``rows``: what each row trains, written by
``.dev_scripts/model_zoo.py compare`` from its entries) and one record per
run (``runs``: seed, machine, commit, settings digest, mAP, train time,
energy, firing rates), appended by the same script from the files each run
leaves. Rows taken from the main job (``main_job``: ``'snn'`` or
``'ann_twin'``) read its published runs from ``configs/mini_voc/results.json``
instead. :func:`comparison_table` writes the table from these files only: a
row without runs shows ``-``; runs of other settings than the row's (an older
recipe, or a run with ``--cfg-options``) are left out and counted.
"""
import copy
import datetime
import json
import os
import os.path as osp
import statistics
from typing import List, Optional, Sequence, Tuple

import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ...models.neurons import BaseSpikingNeuron
from ...utils.config_digest import settings_digest
from ...utils.input_error import InputError
from ..energy_schema import EnergyReport
from .run_outputs import read_metrics, train_seconds

#: Keys every row of the results file has.
ROW_KEYS = ('entry', 'data', 'label', 'config', 'settings', 'time_steps',
            'max_spike_count', 'neuron', 'init', 'epochs', 'params')
#: Keys every run record has (values may be None where a run gave none).
RUN_KEYS = ('entry', 'seed', 'settings', 'config', 'date', 'machine',
            'threads', 'commit', 'map', 'map_50', 'train_s', 'energy_uj',
            'ann_energy_uj', 'firing_rate', 'firing_rate_binary', 'params',
            'energy_images', 'model_form')


def comparison_row(entry: str,
                   config: str,
                   data: str,
                   label: str,
                   main_job: Optional[str] = None,
                   init: Optional[str] = None,
                   cfg_options: Optional[dict] = None) -> dict:
    """A row of the comparison, from its config.

    Args:
        entry (str): The row's name in the results file.
        config (str): Its config.
        data (str): The data set, in words (``'mini-VOC (synthetic)'``).
        label (str): The model, in words.
        main_job (str, optional): ``'snn'`` or ``'ann_twin'`` for a row
            whose runs are the main job's.
        init (str, optional): How training starts; by default ``'from the
            ANN twin'`` where the config loads weights, else ``'from
            scratch'``.
        cfg_options (dict, optional): What the comparison changes in the
            config (``--cfg-options`` of its runs), e.g. the epochs that fit
            its budget.

    Returns:
        dict: The row (keys :data:`ROW_KEYS`, ``main_job`` and
        ``cfg_options``): the settings digest of the config with
        ``cfg_options``, T, the largest spike count D, the neuron classes
        the built model holds (None for an ANN), its parameters (as
        trained) and epochs.
    """
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(cfg_options or {})
    settings = settings_digest(cfg)  # before building, which may fill it in
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    with torch.device('meta'):
        model = MODELS.build(copy.deepcopy(cfg.model))
    neurons = sorted({type(m).__name__ for m in model.modules()
                      if isinstance(m, BaseSpikingNeuron)})
    return dict(
        entry=entry, data=data, label=label, config=config,
        settings=settings,
        time_steps=cfg.model.get('time_steps') if neurons else None,
        max_spike_count=cfg.model.get('max_spike_count', 1),
        neuron=', '.join(neurons) or None,
        init=init or ('from the ANN twin' if cfg.get('load_from') else
                      'from scratch'),
        params=sum(p.numel() for p in model.parameters()),
        epochs=cfg.train_cfg.max_epochs, main_job=main_job,
        cfg_options=dict(cfg_options or {}))


def run_record(entry: str, seed: int, config: str, settings: str,
               metrics: str, energy: str, train_log: Optional[str], *,
               machine: str, threads: Optional[int], commit: str,
               date: Optional[str] = None) -> dict:
    """One run's record, from the files it left.

    Args:
        entry (str): The row's entry.
        seed (int): The training seed.
        config (str): The config that ran.
        settings (str): The settings digest of what ran
            (:func:`mmsnn.utils.config_digest.settings_digest`, before the
            seed was set).
        metrics (str): The test JSON of ``tools/test.py``.
        energy (str): ``energy.json`` of ``get_energy.py``.
        train_log (str, optional): The training's text log (None for a
            published checkpoint that was not trained here).
        machine (str): What it ran on, in words.
        threads (int, optional): CPU threads (``OMP_NUM_THREADS``).
        commit (str): The checkout's commit.
        date (str, optional): ``YYYY-MM-DD``; today when None.

    Returns:
        dict: The record (keys :data:`RUN_KEYS`); mAP as a fraction,
        energies in uJ per image.
    """
    values = read_metrics(metrics)
    report = EnergyReport.load(energy)
    if 'pascal_voc/mAP' in values:
        map_, map_50 = values['pascal_voc/mAP'], None
    elif 'gen1/mAP' in values:
        map_, map_50 = values['gen1/mAP'], values.get('gen1/mAP_50')
    else:
        map_, map_50 = values['coco/bbox_mAP_50'], None
    spiking = report.firing_rates is not None
    rates = report.step_rates
    return dict(
        entry=entry,
        seed=seed,
        settings=settings,
        config=config,
        date=date or datetime.date.today().isoformat(),
        machine=machine,
        threads=threads,
        commit=commit,
        map=round(map_, 4),
        map_50=None if map_50 is None else round(map_50, 4),
        train_s=None if train_log is None else train_seconds(train_log),
        energy_uj=_sig(1e6 * (report.totals.snn_energy_j if spiking else
                              report.totals.ann_energy_j)),
        ann_energy_uj=_sig(1e6 * report.totals.ann_energy_j),
        firing_rate=None if not spiking else _sig(report.firing_rates.mean),
        firing_rate_binary=None if rates is None else _sig(
            rates.mean_per_binary_step),
        params=report.params,
        energy_images=report.num_images,
        model_form=report.model_form)


def _sig(value: Optional[float], digits: int = 4) -> Optional[float]:
    return None if value is None else float(f'{value:.{digits}g}')


def add_run(results: dict, record: dict) -> dict:
    """``results`` with ``record`` in its runs, replacing a run of the same
    entry, seed and settings."""
    key = (record['entry'], record['seed'], record['settings'])
    runs = [r for r in results.get('runs', [])
            if (r['entry'], r['seed'], r['settings']) != key]
    runs.append(record)
    runs.sort(key=lambda r: (r['entry'], r['seed'], r['date']))
    return dict(results, runs=runs)


def load_comparison(path: str) -> dict:
    """Read and check the results file.

    Raises:
        InputError: Not JSON, or a row or run without one of its keys, or
            a run of an entry that has no row.
    """
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f'{path}: cannot read it as JSON ({e})') from e
    for key in ('budget', 'seeds', 'energy_images', 'rows', 'runs'):
        if key not in results:
            raise InputError(f'{path}: the field {key!r} is missing')
    entries = set()
    for n, row in enumerate(results['rows']):
        missing = [k for k in ROW_KEYS if k not in row]
        if missing:
            raise InputError(f'{path}: rows[{n}] lacks {missing}')
        entries.add(row['entry'])
    for n, run in enumerate(results['runs']):
        missing = [k for k in RUN_KEYS if k not in run]
        if missing:
            raise InputError(f'{path}: runs[{n}] lacks {missing}')
        if run['entry'] not in entries:
            raise InputError(f"{path}: runs[{n}] is of entry "
                             f"{run['entry']!r}, which has no row")
    return results


def main_job_runs(main_job: dict, which: str) -> List[dict]:
    """The main job's published runs (``configs/mini_voc/results.json``)
    as run records: ``which`` is ``'snn'`` or ``'ann_twin'``. Energy and
    firing rate are seed 0's (the only ones it publishes); the twin is one
    published checkpoint, tested in each run, not trained in it."""
    published = main_job[which]
    energy = main_job.get('energy_seed0', {})
    by_seed = {r['seed']: r for r in main_job.get('runs', [])}
    runs = []
    for seed, map_ in zip(published['seeds'], published['maps']):
        run = by_seed.get(seed, {})
        seed0 = seed == 0
        runs.append(dict(
            entry=which, seed=seed,
            settings=published.get('snn_settings') if which == 'snn'
            else None,
            date=run.get('date'), machine=run.get('machine'), map=map_,
            map_50=None,
            train_s=run.get('times_s', {}).get('SNN') if which == 'snn'
            else None,
            energy_uj=energy.get(f'{which}_uj') if seed0 else None,
            firing_rate=energy.get('snn_firing_rate')
            if seed0 and which == 'snn' else None,
            firing_rate_binary=None, params=None))
    return runs


def row_runs(row: dict, results: dict,
             main_job: Optional[dict]) -> Tuple[List[dict], int]:
    """The runs a row aggregates, and how many runs of its entry it leaves
    out for being of other settings than the row's (the published twin's
    runs have no settings to compare)."""
    source = row.get('main_job')
    if source:
        runs = main_job_runs(main_job, source) if main_job else []
    else:
        runs = [r for r in results['runs'] if r['entry'] == row['entry']]
    mine = [r for r in runs
            if r['settings'] is None or r['settings'] == row['settings']]
    return mine, len(runs) - len(mine)


def _mean_sd(values: Sequence[Optional[float]], spec: str,
             scale: float = 1.) -> str:
    """``mean +- sample sd`` of the values given (``-`` for none)."""
    given = [scale * v for v in values if v is not None]
    if not given:
        return '-'
    mean = format(statistics.mean(given), spec)
    if len(given) == 1:
        return mean
    return f'{mean} +- {format(statistics.stdev(given), spec)}'


def _time_steps(row: dict) -> str:
    """``T``, with the largest spike ``D`` where it is above 1."""
    if row['time_steps'] is None:
        return '-'
    d = row['max_spike_count'] or 1
    return str(row['time_steps']) + (f' (D {d})' if d > 1 else '')


def _cell(runs: Sequence[dict], key: str, spec: str,
          scale: float = 1.) -> str:
    """The runs' ``key`` as ``mean +- sd``, naming the seeds it is of where
    some runs lack it."""
    text = _mean_sd([r.get(key) for r in runs], spec, scale)
    given = [r['seed'] for r in runs if r.get(key) is not None]
    if given and len(given) < len(runs):
        text += f" (seed {', '.join(map(str, given))})"
    return text


def row_cells(row: dict, results: dict, main_job: Optional[dict],
              link_dir: str) -> List[str]:
    """The cells of one row of the comparison table (:func:`comparison_table`
    names them)."""
    runs, others = row_runs(row, results, main_job)
    runs = sorted(runs, key=lambda r: r['seed'])
    map_text = _cell(runs, 'map', '.1f', 100)
    if any(r.get('map_50') is not None for r in runs):
        map_text += ' / ' + _cell(runs, 'map_50', '.1f', 100)
    rate = _cell(runs, 'firing_rate', '.3f')
    if (row['max_spike_count'] or 1) > 1:
        rate += ' / ' + _cell(runs, 'firing_rate_binary', '.3f')
    seeds = ', '.join(str(r['seed']) for r in runs) or '-'
    if others:
        seeds += ' (runs of other settings left out)'
    link = osp.relpath(row['config'], link_dir).replace(os.sep, '/')
    epochs = f"{row['init']}, {row['epochs']} epochs"
    if row.get('cfg_options'):
        epochs += ' (set by the comparison)'
    return [
        row['data'], row['label'], row['neuron'] or '- (ANN)',
        _time_steps(row), epochs,
        map_text, _cell(runs, 'energy_uj', '.1f'), rate,
        _cell(runs, 'train_s', '.1f', 1 / 60),
        f"{row['params'] / 1e6:.2f}", seeds,
        f"[{osp.basename(row['config'])}]({link})"
    ]


#: The columns of the comparison table.
COLUMNS = ('Data', 'Model', 'Neurons', 'T', 'Init, epochs', 'mAP (%)',
           'Energy / image (uJ)', 'Firing rate', 'Train time (min)',
           'Params (M)', 'Seeds', 'Config')


def comparison_table(results: dict, main_job: Optional[dict],
                     link_dir: str) -> str:
    """The comparison table, written from the results file (and the main
    job's, for the rows taken from it) only.

    Args:
        results (dict): :func:`load_comparison`'s.
        main_job (dict, optional): ``configs/mini_voc/results.json``, for
            the rows taken from the main job (none shown without it).
        link_dir (str): The folder of the page: config links are relative
            to it.

    Returns:
        str: The Markdown table: per row, the mean +- sample standard
        deviation over the runs of its settings, ``-`` where there are none.
    """
    lines = ['| ' + ' | '.join(COLUMNS) + ' |', '|' + ' --- |' * len(COLUMNS)]
    for row in results['rows']:
        lines.append('| ' + ' | '.join(
            row_cells(row, results, main_job, link_dir)) + ' |')
    return '\n'.join(lines)
