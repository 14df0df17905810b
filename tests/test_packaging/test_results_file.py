"""configs/mini_voc/results.json, the published mini-VOC range that the main
job prints its mAPs beside: consistent with its runs. (Its numbers in the
README and the generated pages: tests/test_docs/.)"""
import json
import statistics

import pytest

from tests.conftest import repo_path

RESULTS = repo_path('configs', 'mini_voc', 'results.json')


def _results():
    with open(RESULTS) as f:
        return json.load(f)


def test_range_is_its_runs_mean_and_spread():
    results = _results()
    runs = results['runs']
    assert isinstance(runs, list)
    if not runs:
        assert 'ann_twin' not in results and 'snn' not in results
        pytest.skip('no seed runs published yet')
    for key in ('ann_twin', 'snn'):
        maps = [run[key] for run in runs]
        entry = results[key]
        assert entry['maps'] == maps
        assert entry['seeds'] == sorted({run['seed'] for run in runs})
        assert entry['mean'] == pytest.approx(statistics.mean(maps), abs=1e-4)
        if len(maps) > 1:
            assert entry['std'] == pytest.approx(statistics.stdev(maps),
                                                 abs=1e-4)
    for run in runs:
        assert run['machine'] and run['data_matches_manifest'] is True
        # one recipe: the range's
        for key in ('twin', 'snn_epochs', 'snn_settings'):
            assert run[key] == results['snn'][key], key
        times = run['times_s']
        assert times['total'] == pytest.approx(
            sum(v for k, v in times.items() if k != 'total'), abs=2)


def test_hand_written_records_are_complete():
    """The records that are not the range say what they are: another
    recipe or machine, its seeds and both mAPs."""
    results = _results()
    for entry in results['earlier_recipes']:
        assert entry['recipe'] and entry['machine'] and entry['date']
        assert len(entry['snn']) == len(entry['ann_twin']) == \
            len(entry['seeds'])
        assert len(entry.get('total_s', entry['seeds'])) == \
            len(entry['seeds'])
    for entry in results['other_machines']:
        assert entry['recipe'] and entry['machine'] and entry['date']
        assert 0 < entry['snn'] < entry['ann_twin'] < 1
    for run in results['repeats']['runs']:
        # the same recipe again: the same mAPs as the range's seed
        seed_run = next(r for r in results['runs']
                        if r['seed'] == run['seed'])
        assert (run['ann_twin'], run['snn']) == (seed_run['ann_twin'],
                                                 seed_run['snn'])
    energy = results['energy_seed0']
    assert energy['snn_uj'] < energy['ann_twin_uj']
