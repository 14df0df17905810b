"""Every number of the README and of the generated pages comes from a
results file: it is a value of one (or one's mean, spread, extremes or
median), at the precision printed, in the unit printed, or it is listed
below as a number that measures nothing (a version, a year, T)."""
import json
import re
import statistics

import pytest
import yaml

from tests.conftest import repo_path

RESULTS = ('configs/mini_voc/results.json', 'docs/test_suite_times.json',
           'docs/model_zoo_comparison.json')
#: Pages, and the part of each that must hold only traced numbers (None:
#: all of it).
PAGES = {
    'README.md': None,
    'docs/model_zoo.md': None,
    'docs/reproducibility.md': None,
    'configs/mini_voc/README.md': 'benchmark_table',
    'configs/events/README.md': 'benchmark_table',
    'configs/snn_yolov3/README.md': 'benchmark_table',
    'configs/ems_yolo/README.md': 'benchmark_table',
    'configs/spikeyolo/README.md': 'benchmark_table',
}
#: Numbers that measure nothing, per page: versions, years and the arXiv
#: number of citations, T, core counts, energy models.
NOT_MEASURED = {
    'README.md': {
        '3.11', '2.1', '3.3', '0.10', '2.0',  # Python, mmcv, mmdet, ...
        '2023', '2026', '2310.12985',  # citations
        '2',  # 2-core, 2 processes
        '4', '6',  # T=4 or 6
        '45',  # the 45 nm energy model
    },
    # the 45 nm model; VOC AP@0.5 with 11 points, COCO AP with 101
    'docs/model_zoo.md': {'45', '0.5', '11', '101'},
    'configs/events/README.md': {'101'},
    'configs/ems_yolo/README.md': {'2017'},  # COCO 2017
    'configs/spikeyolo/README.md': {'2017', '4'},  # COCO 2017; D = 4
    'docs/reproducibility.md': {'2', '256'},  # OMP_NUM_THREADS=2; sha256
}
#: Transforms from a results value to a printed number: as it is, a
#: fraction as %, seconds as minutes, mJ as uJ, uJ as mJ, a count in
#: millions, and a time per image in ms as images per second.
TRANSFORMS = (lambda v: v, lambda v: 100 * v, lambda v: v / 60,
              lambda v: 1e3 * v, lambda v: 1e-3 * v, lambda v: 1e-6 * v,
              lambda v: 1e3 / v if v else None)
NUMBER = re.compile(r'(?<![\w.])\d+(?:\.\d+)?(?![\w]|\.\d)')


def _strings_and_numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings_and_numbers(item)
    elif isinstance(value, list):
        numbers = [v for v in value if isinstance(v, (int, float)) and
                   not isinstance(v, bool)]
        if len(numbers) > 1:  # what pages derive from a list of runs
            yield statistics.mean(numbers)
            yield statistics.stdev(numbers)
            yield statistics.median(numbers)
        for item in value:
            yield from _strings_and_numbers(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value
    elif isinstance(value, str):
        yield from (float(n) for n in re.findall(r'\d+(?:\.\d+)?', value))


def _load(path):
    with open(repo_path(path)) as f:
        return yaml.safe_load(f) if path.endswith('.yml') else json.load(f)


def comparison_values(comparison, main_job):
    """What the comparison table derives from the runs of one row: the
    mean and sample standard deviation of each number over the runs of an
    entry and settings (the main job's rows: over its published seeds)."""
    groups = {}
    for run in comparison['runs']:
        groups.setdefault((run['entry'], run['settings']), []).append(run)
    values = set()
    for runs in groups.values():
        for key, value in runs[0].items():
            numbers = [r[key] for r in runs
                       if isinstance(r.get(key), (int, float))]
            if isinstance(value, (int, float)) and len(numbers) > 1:
                values |= {statistics.mean(numbers),
                           statistics.stdev(numbers)}
    seconds = [r['times_s']['SNN'] for r in main_job['runs']]
    values |= {statistics.mean(seconds), statistics.stdev(seconds)}
    return values


def results_values():
    files = list(RESULTS) + _load('model-index.yml')['Import']
    values = {v for path in files for v in _strings_and_numbers(_load(path))}
    values |= comparison_values(_load(RESULTS[2]), _load(RESULTS[0]))
    # The README's two derived figures (.dev_scripts/gen_docs.py).
    results = _load(RESULTS[0])
    energy = results['energy_seed0']
    values.add(100 * results['snn']['mean'] / results['ann_twin']['mean'])
    values.add(energy['ann_twin_uj'] / energy['snn_uj'])
    return values


def page_numbers(path, block):
    with open(repo_path(path)) as f:
        text = f.read()
    if block:
        text = text.split(f'<!-- {block}:start -->')[1].split(
            f'<!-- {block}:end -->')[0]
    text = re.sub(r'```.*?```', ' ', text, flags=re.S)  # commands
    text = re.sub(r'`[^`]*`', ' ', text)  # code, paths, options
    text = re.sub(r'\]\([^)]*\)', ']', text)  # link targets
    text = re.sub(r'<!--.*?-->', ' ', text, flags=re.S)
    text = re.sub(r'\[[^\]]*\.(py|md|json|yml|pth)\]', ' ', text)  # names
    text = re.sub(r'\d{4}-\d{2}-\d{2}', ' ', text)  # dates: checked below
    return NUMBER.findall(text)


def traced(number, values):
    decimals = len(number.split('.')[1]) if '.' in number else 0
    want = float(number)
    for value in values:
        for transform in TRANSFORMS:
            shown = transform(value)
            if shown is not None and round(shown, decimals) == want:
                return True
    return False


@pytest.fixture(scope='module')
def values():
    return results_values()


@pytest.mark.parametrize('path', list(PAGES))
def test_every_number_comes_from_a_results_file(path, values):
    allowed = NOT_MEASURED.get(path, set())
    numbers = page_numbers(path, PAGES[path])
    assert numbers, path
    untraced = sorted({n for n in numbers
                       if n not in allowed and not traced(n, values)})
    assert not untraced, f'{path}: numbers in no results file: {untraced}'


def test_dates_of_the_pages_are_dates_of_runs():
    dates = set()
    for path in list(RESULTS) + _load('model-index.yml')['Import']:
        with open(repo_path(path)) as f:
            dates |= set(re.findall(r'\d{4}-\d{2}-\d{2}', f.read()))
    for path in PAGES:
        with open(repo_path(path)) as f:
            printed = set(re.findall(r'\d{4}-\d{2}-\d{2}', f.read()))
        assert printed <= dates, (path, printed - dates)


def test_an_invented_number_is_caught(tmp_path, values):
    """The check can fail: a measurement that no results file holds."""
    page = tmp_path / 'page.md'
    page.write_text('The SNN scores 0.7071 on mini-VOC in 9876.5 s.\n')
    numbers = re.findall(NUMBER, page.read_text())
    assert [n for n in numbers if not traced(n, values)] == ['0.7071',
                                                             '9876.5']


def test_comparison_table_numbers_are_traced():
    """The comparison's cells (means and spreads over a row's runs) are
    traced to its results file: on the committed rows with made-up runs,
    every number of the table is found, and a changed cell is not."""
    from mmsnn.analysis.model_zoo import comparison_table
    comparison, main_job = _load(RESULTS[2]), _load(RESULTS[0])
    row = comparison['rows'][2]
    comparison['runs'] = [
        dict(entry=row['entry'], seed=seed, settings=row['settings'],
             config=row['config'], date='2026-12-07', machine='m', threads=2,
             commit='c', map=m, map_50=None, train_s=t, energy_uj=e,
             ann_energy_uj=195.0, firing_rate=f, firing_rate_binary=f,
             params=570_000, energy_images=50, model_form=None)
        for seed, m, t, e, f in ((0, 0.6612, 611., 31.2, 0.1412),
                                 (1, 0.6498, 640., 30.1, 0.1387),
                                 (2, 0.6733, 655., 32.9, 0.1455))]
    values = {v for v in _strings_and_numbers(comparison)} | \
        {v for v in _strings_and_numbers(main_job)} | \
        comparison_values(comparison, main_job)
    table = comparison_table(comparison, main_job, 'docs')
    table = re.sub(r'\]\([^)]*\)', ']', table)
    table = re.sub(r'\[[^\]]*\.py\]', ' ', table)
    numbers = NUMBER.findall(table)
    assert '66.1' in numbers and '1.2' in numbers  # mean +- sd of the mAPs
    assert [n for n in numbers if not traced(n, values)] == []
    assert not traced('66.2', values)
