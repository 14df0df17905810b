"""mmsnn.analysis.training_modes_report writes the training modes' tables
from the results files only (a missing file says so), and the measurement
scripts' records are what it reads."""
import json
import os

import pytest

from mmsnn.analysis import training_modes_report


@pytest.fixture(scope='module')
def tables():
    return training_modes_report


def cell(time_steps, k, snn_s, bptt_s, ann_s, snn_mib, bptt_mib, ann_mib):
    def model(seconds, mib):
        return dict(step_time_median_s=seconds,
                    peak_memory=dict(peak_before_optimizer_bytes=mib * 2**20))

    return dict(time_steps=time_steps, shape=[160, 160],
                bptt=dict(mode='sltt', k=k),
                result=dict(models=dict(snn=model(snn_s, snn_mib),
                                        bptt=model(bptt_s, bptt_mib),
                                        ann=model(ann_s, ann_mib))))


def pages(root):
    os.makedirs(root / 'docs')
    for page in ('training_modes.md', 'benchmarks.md'):
        (root / 'docs' / page).write_text(
            '# Page\n\n<!-- training_modes:benchmark:start -->\nold\n'
            '<!-- training_modes:benchmark:end -->\n\ntext after\n')


def test_missing_results_leave_a_note(tables, tmp_path):
    pages(tmp_path)
    tables.write_pages(str(tmp_path))
    text = (tmp_path / 'docs' / 'training_modes.md').read_text()
    assert 'No results yet' in text and 'old' not in text
    assert text.count('No results yet') == 3  # benchmark, mini_voc, profile
    assert 'text after' in text
    assert 'benchmark_training_modes.py' in text
    assert 'training_modes_mini_voc.py' in text
    assert 'profile_default_path.py' in text


def test_tables_come_from_the_results(tables, tmp_path):
    pages(tmp_path)
    bench = dict(machine='Test CPU, 2 cores', torch='2.x', date='d',
                 commit='abc', command='python x', runs=[
                     cell(4, 2, 1.0, 2.0, 4.0, 100., 400., 200.),
                     cell(16, 2, 2.0, 8.0, 10.0, 110., 1600., 800.),
                 ])
    (tmp_path / 'docs' / 'training_modes_benchmark.json').write_text(
        json.dumps(bench))
    runs = [dict(mode=m, bptt=dict(mode=m.split(':')[0], k=k), seed=s,
                 map=v, train_time_s=100 + s)
            for m, k, s, v in [('full', None, 0, 0.62), ('full', None, 1,
                                                          0.64),
                               ('sltt:2', 2, 0, 0.60), ('sltt:2', 2, 1,
                                                        0.58)]]
    for run in runs[:2]:  # as --bptt-from-main-job takes them
        run['source'] = 'the main job'
    (tmp_path / 'docs' / 'training_modes_mini_voc.json').write_text(
        json.dumps(dict(config='c.py', epochs=4, runs=runs)))
    tables.write_pages(str(tmp_path))
    text = (tmp_path / 'docs' / 'training_modes.md').read_text()
    # SLTT-K at T=4: 1.0 s, half BPTT's 2.0 s, a quarter of the ANN's 4.0
    assert '| 160x160 | 4 | SLTT-K (K=2) | 1.000 | 0.500 | 0.250 | ' \
        '100.0 | 0.250 | 0.500 |' in text
    assert '| 160x160 | 4 | BPTT | 2.000 | 1.000 | 0.500 | 400.0 |' in text
    # memory growth from T=4 to T=16: 110 / 100 for SLTT-K, 4x for BPTT
    assert '| 160x160 | SLTT-K (K=2) | 4 -> 16 | 1.10x |' in text
    assert '| 160x160 | BPTT | 4 -> 16 | 4.00x |' in text
    assert '| BPTT | 0, 1 | 0.6200, 0.6400 | 0.6300 +- 0.0141 | the main ' \
        'job |' in text
    assert '| SLTT-K (K=2) | 0, 1 | 0.6000, 0.5800 | 0.5900 +- 0.0141 | ' \
        'this script |' in text
    assert 'Test CPU, 2 cores' in text
    assert text.count('No results yet') == 1  # the profile's
    bench_page = (tmp_path / 'docs' / 'benchmarks.md').read_text()
    assert '| 160x160 | 16 | SLTT-K (K=2) | 2.000 | 0.250 |' in bench_page
    assert 'mAP' not in bench_page  # only the cost table there
    # written twice, the same page
    tables.write_pages(str(tmp_path))
    assert (tmp_path / 'docs' / 'training_modes.md').read_text() == text


def test_mini_voc_records_summarise_per_mode(tables):
    summary = tables.summarize([
        dict(mode='full', seed=0, map=0.6), dict(mode='full', seed=1,
                                                 map=0.7),
        dict(mode='sltt', seed=0, map=0.5)
    ])
    assert summary['full'] == dict(seeds=[0, 1], maps=[0.6, 0.7],
                                   mean=0.65, std=0.0707)
    assert summary['sltt']['std'] == 0.


def profile(neurons, conv, backbone):
    groups = dict.fromkeys(['convolution', 'batch norm', 'neurons',
                            'activation (ANN)', 'optimizer', 'elementwise',
                            'copies and reshapes', 'other'], 1.)
    groups.update(neurons=neurons, convolution=conv)
    return dict(self_cpu_ms=sum(groups.values()), groups=groups,
                parts_forward_ms=dict(backbone=backbone), operators={},
                steps=3)


def test_profile_table_comes_from_the_results(tables, tmp_path):
    pages(tmp_path)
    run = dict(config='c.py', time_steps=6, batch=1, shape=[160, 160],
               models=dict(snn=dict(step_time_median_s=1.1),
                           ann=dict(step_time_median_s=1.0)),
               ratios=dict(step_time_median=1.1),
               profile=dict(snn=profile(30., 500., 250.),
                            ann=profile(0., 495., 240.)))
    (tmp_path / 'docs' / 'default_path_profile.json').write_text(json.dumps(
        dict(machine='Test CPU', torch='2.x', date='d', commit='abc',
             command='python p', runs=[dict(mode='train', result=run)])))
    tables.write_pages(str(tmp_path))
    text = (tmp_path / 'docs' / 'benchmarks.md').read_text()
    assert '| train | 1.100 | 1.000 | 1.100 |' in text
    lines = text.splitlines()
    first = lines.index(next(line for line in lines
                             if line.startswith('| self CPU ms')))
    # the largest difference first, then the others, the total last
    assert lines[first + 2] == '| neurons | 30.0 | 0.0 | +30.0 |'
    assert lines[first + 3] == '| convolution | 500.0 | 495.0 | +5.0 |'
    assert '| total | 536.0 | 501.0 | +35.0 |' in text
    assert '| backbone forward (inclusive) | 250.0 | 240.0 | +10.0 |' in text
    assert 'commit abc' in text and '`python p`' in text
