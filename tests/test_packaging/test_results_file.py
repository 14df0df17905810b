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


def test_readme_comparison_rows_are_the_write_ups():
    """Every row of the README's table of the paper's comparisons is a row
    of docs/paper_comparisons.json, the numbers the tool wrote beside
    docs/paper_comparisons.md."""
    import re

    from mmsnn.analysis.paper_comparisons import fmt_map, sg_summary
    with open(repo_path('docs', 'paper_comparisons.json')) as f:
        results = json.load(f)
    with open(repo_path('README.md')) as f:
        readme = f.read()
    section = readme[readme.index("**The paper's comparisons**"):]
    section = section[:section.index('\n\n', section.index('| method |'))]
    rows = re.findall(r'^\| (.+?) \| (\S+) \| (.+?) \| ([\d.]+) uJ \|$',
                      section, re.M)
    assert len(rows) >= 6, section
    summary = sg_summary(results['sg'])
    written = {('ANN twin', '-'): (
        f"{100 * results['ann']['map']:.2f}",
        results['ann']['ops']['ann_energy_45nm_j'])}
    for label, entry in summary.items():
        t = str(entry['time_steps'])
        method = label.replace(f' T={t}', '')
        written[(method, t)] = (fmt_map(entry['best']),
                                entry['ops']['energy_45nm_j'])
    for r in results['conversion']['results']:
        written[('Spiking-YOLO conversion', str(r['time_steps']))] = (
            f"{100 * r['map']:.2f}", r['energy_45nm_j'])
    for method, t, m, energy in rows:
        assert (method, t) in written, (method, t)
        want_map, want_energy = written[(method, t)]
        assert m == want_map, (method, t)
        assert float(energy) == pytest.approx(want_energy * 1e6, rel=5e-3)
