"""mmsnn/analysis/model_zoo/comparison.py: a run's record from its files,
the results file, and the comparison table written from it only."""
import copy
import json

import pytest
from mmengine.config import Config

from mmsnn.analysis.model_zoo import (add_run, comparison_row,
                                      comparison_table, load_comparison,
                                      run_record)
from mmsnn.utils import InputError
from mmsnn.utils.config_digest import settings_digest
from tests.conftest import repo_path
from tests.test_analysis.test_model_zoo.zoo_files import (GEN1, energy_json,
                                                          gen1_log,
                                                          write_json)

SPIKEYOLO = 'configs/spikeyolo/spikeyolo_s-mini_1xb8-160-2e_minivoc_t1d4.py'
TWIN = 'configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py'


def _row(entry, settings='aaaa0000', d=1, t=4, main_job=None):
    return dict(entry=entry, data='mini-VOC (synthetic)', label=entry,
                config=f'configs/x/{entry}.py', settings=settings,
                time_steps=t, max_spike_count=d,
                neuron='IFNeuron' if t else None, init='from scratch',
                epochs=8, params=570_000, main_job=main_job)


def _run(entry, seed, settings='aaaa0000', **values):
    run = dict(entry=entry, seed=seed, settings=settings,
               config=f'configs/x/{entry}.py', date='2026-12-07',
               machine='AMD EPYC, 2 cores', threads=2, commit='abc1234',
               map=None, map_50=None, train_s=None, energy_uj=None,
               ann_energy_uj=None, firing_rate=None, firing_rate_binary=None,
               params=None, energy_images=50, model_form=None)
    run.update(values)
    return run


@pytest.fixture
def results():
    return dict(
        about='fake', budget='10 minutes', seeds=[0, 1, 2], energy_images=50,
        rows=[_row('snn'), _row('spikeyolo', d=4, t=1), _row('gen1'),
              _row('main', main_job='snn', settings='c94e8125')],
        runs=[
            _run('snn', 0, map=0.60, train_s=600., energy_uj=30.,
                 firing_rate=0.10, params=570_000),
            _run('snn', 1, map=0.62, train_s=660., energy_uj=32.,
                 firing_rate=0.12, params=570_000),
            _run('snn', 2, map=0.64, train_s=720., energy_uj=34.,
                 firing_rate=0.14, params=570_000),
            # of an older recipe: left out
            _run('snn', 0, settings='bbbb1111', map=0.10),
            _run('spikeyolo', 1, map=0.5, firing_rate=0.8,
                 firing_rate_binary=0.2),
            _run('spikeyolo', 0, map=0.4, firing_rate=0.6,
                 firing_rate_binary=0.15),
        ])


MAIN_JOB = dict(
    snn=dict(seeds=[0, 1], maps=[0.6199, 0.6355], snn_settings='c94e8125'),
    ann_twin=dict(seeds=[0, 1], maps=[0.8648, 0.8648]),
    runs=[dict(seed=0, date='2026-12-03', machine='m',
               times_s=dict(SNN=623)),
          dict(seed=1, date='2026-12-03', machine='m',
               times_s=dict(SNN=673))],
    energy_seed0=dict(ann_twin_uj=195, snn_uj=32.6, snn_firing_rate=0.16))


def _cells(table):
    lines = table.splitlines()
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    return {row[1]: dict(zip(header, row)) for row in (
        [c.strip() for c in line.strip('|').split('|')]
        for line in lines[2:])}


def test_table_is_mean_and_spread_of_the_rows_runs(results):
    cells = _cells(comparison_table(results, MAIN_JOB, 'docs'))
    snn = cells['snn']
    assert snn['mAP (%)'] == '62.0 +- 2.0'
    assert snn['Train time (min)'] == '11.0 +- 1.0'
    assert snn['Energy / image (uJ)'] == '32.0 +- 2.0'
    assert snn['Firing rate'] == '0.120 +- 0.020'
    assert snn['Params (M)'] == '0.57'
    assert snn['Seeds'] == '0, 1, 2 (runs of other settings left out)'
    assert snn['T'] == '4' and snn['Init, epochs'] == 'from scratch, 8 epochs'
    assert snn['Config'] == '[snn.py](../configs/x/snn.py)'


def test_integer_spikes_show_both_rates_and_missing_numbers_a_dash(results):
    results['rows'][1]['cfg_options'] = {'train_cfg.max_epochs': 8}
    cells = _cells(comparison_table(results, MAIN_JOB, 'docs'))
    spikeyolo = cells['spikeyolo']
    assert spikeyolo['T'] == '1 (D 4)'
    assert spikeyolo['Init, epochs'] == \
        'from scratch, 8 epochs (set by the comparison)'
    assert spikeyolo['Firing rate'] == '0.700 +- 0.141 / 0.175 +- 0.035'
    assert spikeyolo['Seeds'] == '0, 1'
    assert spikeyolo['Train time (min)'] == '-'
    gen1 = cells['gen1']  # no run
    assert [gen1[k] for k in ('mAP (%)', 'Energy / image (uJ)',
                              'Firing rate', 'Seeds')] == ['-'] * 4


def test_main_job_rows_are_its_published_runs(results):
    main = _cells(comparison_table(results, MAIN_JOB, 'docs'))['main']
    assert main['mAP (%)'] == '62.8 +- 1.1'
    assert main['Train time (min)'] == '10.8 +- 0.6'
    assert main['Energy / image (uJ)'] == '32.6 (seed 0)'
    assert main['Firing rate'] == '0.160 (seed 0)'
    # without the main job's file, or of other settings: no numbers
    assert _cells(comparison_table(results, None, 'docs'))['main'][
        'mAP (%)'] == '-'
    other = copy.deepcopy(MAIN_JOB)
    other['snn']['snn_settings'] = 'ffff0000'
    assert _cells(comparison_table(results, other, 'docs'))['main'][
        'Seeds'] == '- (runs of other settings left out)'


def test_gen1_rows_show_both_maps(results):
    results['runs'].append(_run('gen1', 0, map=0.397, map_50=0.74))
    gen1 = _cells(comparison_table(results, MAIN_JOB, 'docs'))['gen1']
    assert gen1['mAP (%)'] == '39.7 / 74.0'


def test_run_record_reads_the_files(tmp_path):
    metrics = write_json(tmp_path / 'test.json',
                         {'gen1/mAP': 0.39654, 'gen1/mAP_50': 0.7412})
    energy = energy_json(tmp_path / 'energy.json', 'epoch_10.pth', 'test')
    record = run_record(
        'e', 2, GEN1, 'abcd0123', metrics, energy,
        gen1_log(tmp_path / 'a.log'),
        machine='AMD EPYC, 2 cores', threads=2, commit='abc1234',
        date='2026-12-07')
    assert {k: record[k] for k in (
        'seed', 'settings', 'map', 'map_50', 'train_s', 'energy_uj',
        'ann_energy_uj', 'firing_rate', 'firing_rate_binary', 'params',
        'energy_images')} == dict(
            seed=2, settings='abcd0123', map=0.3965, map_50=0.7412,
            train_s=690.0, energy_uj=820.0, ann_energy_uj=150500.0,
            firing_rate=0.1714, firing_rate_binary=None, params=61_600_000,
            energy_images=4)


def test_add_run_replaces_the_same_entry_seed_and_settings(results):
    again = _run('snn', 1, map=0.70)
    runs = add_run(results, again)['runs']
    assert [r['map'] for r in runs if r['entry'] == 'snn'] == \
        [0.60, 0.10, 0.70, 0.64]
    assert len(add_run(results, _run('snn', 1, settings='new'))['runs']) == 7


def test_load_comparison_names_what_is_wrong(tmp_path, results):
    path = tmp_path / 'c.json'
    path.write_text(json.dumps(results))
    assert load_comparison(str(path)) == results
    bad = copy.deepcopy(results)
    del bad['runs'][2]['train_s']
    path.write_text(json.dumps(bad))
    with pytest.raises(InputError, match=r"runs\[2\] lacks \['train_s'\]"):
        load_comparison(str(path))
    bad = copy.deepcopy(results)
    bad['runs'][0]['entry'] = 'nope'
    path.write_text(json.dumps(bad))
    with pytest.raises(InputError, match="entry 'nope', which has no row"):
        load_comparison(str(path))


def test_comparison_row_reads_the_config():
    row = comparison_row('s', SPIKEYOLO, 'mini-VOC (synthetic)', 'SpikeYOLO')
    assert {k: row[k] for k in ('time_steps', 'max_spike_count', 'neuron',
                                'init', 'epochs', 'params')} == dict(
        time_steps=1, max_spike_count=4, neuron='ILIFNeuron',
        init='from scratch', epochs=2, params=1_749_644)
    assert row['settings'] == settings_digest(
        Config.fromfile(repo_path(SPIKEYOLO)))
    twin = comparison_row('t', TWIN, 'mini-Gen1 (synthetic)', 'YOLOv3',
                          cfg_options={'train_cfg.max_epochs': 8})
    assert (twin['time_steps'], twin['neuron'], twin['epochs']) == (
        None, None, 8)
    cfg = Config.fromfile(repo_path(TWIN))
    cfg.merge_from_dict({'train_cfg.max_epochs': 8})
    assert twin['settings'] == settings_digest(cfg)
