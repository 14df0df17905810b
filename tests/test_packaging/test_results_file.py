"""configs/mini_voc/results.json, the published mini-VOC range that the main
job prints its mAPs beside: consistent with its runs, and quoted by the
README once it has any."""
import json
import statistics

import pytest

from tests.conftest import repo_path

RESULTS = repo_path('configs', 'mini_voc', 'results.json')


def test_results_file_is_consistent_and_quoted():
    with open(RESULTS) as f:
        results = json.load(f)
    runs = results['runs']
    assert isinstance(runs, list)
    with open(repo_path('README.md')) as f:
        readme = f.read()
    assert 'configs/mini_voc/results.json' in readme
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
        # The README's numbers are these.
        assert f"{entry['mean']:.3f}" in readme, key
    for run in runs:
        assert run['machine'] and run['data_matches_manifest'] is True
