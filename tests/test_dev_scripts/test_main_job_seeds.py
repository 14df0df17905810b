""".dev_scripts/main_job_seeds.sh --collect: the published range is over
runs of one twin, one SNN schedule and one SNN config's settings; runs of
another machine with the same ones are kept, every other run leaves the
file. And tools/run_main_job.sh's side of it: the settings digest it prints
and the range it flags as not comparable."""
import json
import os
import shutil
import statistics
import subprocess
import sys

import pytest

from tests.conftest import repo_path

TWIN = 'published yolov3_minivoc_seed0-c9036a7c.pth'
SETTINGS = 'a9a046c2'


def job_text():
    with open(repo_path('tools', 'run_main_job.sh')) as f:
        return f.read()


def job_heredoc(start):
    """The body of the job's first ``<<'PY'`` heredoc after ``start``."""
    job = job_text()
    body = job[job.index(start):]
    body = body[body.index("<<'PY'\n") + len("<<'PY'\n"):]
    return body[:body.index('\nPY\n') + 1]


def main_job_log(snn_map, snn_epochs, settings=SETTINGS):
    """The summary lines of tools/run_main_job.sh that the script reads."""
    return f"""
=== main job done: SNN-YOLOv3 T=4 on mini-VOC (synthetic, not PASCAL VOC) ===
ANN twin:        {TWIN} (seed 0), tested here
SNN schedule:    {snn_epochs} epochs (configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py, settings {settings}) from the ANN twin
times:           data 1 s, ANN twin 23 s, SNN 678 s, test + pictures 41 s, total 743 s (set-up excluded; budget 900 s)
ANN twin mAP:    0.8648 (its test here; no published range yet)
final SNN mAP:   {snn_map} (VOC mAP@0.5, 11 points, mini-VOC test split)
"""


def other_run(seed, snn, **extra):
    return dict(seed=seed, machine='Another CPU, 2 cores', twin=TWIN,
                data_matches_manifest=True, parallel=False, ann_twin=0.8648,
                snn=snn, times_s={}, **extra)


def test_the_job_prints_what_the_script_reads():
    job = job_text()
    for line in ('SNN schedule:    $snn_epochs epochs ($snn_config, '
                 'settings $snn_settings)', 'ANN twin:        ',
                 'times:           data ', 'ANN twin mAP:    ',
                 'final SNN mAP:   '):
        assert line in job, line


@pytest.mark.skipif(not shutil.which('bash'), reason='needs bash')
def test_collect_keeps_one_schedule(tmp_path):
    os.makedirs(tmp_path / '.dev_scripts')
    shutil.copy(repo_path('.dev_scripts', 'main_job_seeds.sh'),
                tmp_path / '.dev_scripts')
    # The environment step prints the interpreter last.
    os.makedirs(tmp_path / 'tools')
    (tmp_path / 'tools' / 'setup_env.sh').write_text(
        f'echo {sys.executable}\n')
    results = tmp_path / 'configs' / 'mini_voc' / 'results.json'
    os.makedirs(results.parent)
    kept = other_run(0, 0.62, snn_epochs=4, snn_settings=SETTINGS)
    results.write_text(json.dumps(dict(about='x', runs=[
        kept,
        other_run(1, 0.64, snn_epochs=5, snn_settings=SETTINGS),
        other_run(1, 0.63, snn_epochs=4, snn_settings='45391113'),
        other_run(2, 0.61, snn_epochs=4),  # before the job printed settings
        other_run(2, 0.60),  # before the job printed its schedule
    ])))
    os.makedirs(tmp_path / 'work_dirs' / 'seeds')
    for seed, snn_map in enumerate((0.6113, 0.6298)):
        (tmp_path / 'work_dirs' / 'seeds' / f'seed{seed}.log').write_text(
            main_job_log(snn_map, 4))
    subprocess.run(['bash', '.dev_scripts/main_job_seeds.sh', '--collect', '2'],
                   cwd=tmp_path, check=True, capture_output=True)
    written = json.loads(results.read_text())
    assert written['runs'][0] == kept
    assert [r['snn'] for r in written['runs']] == [0.62, 0.6113, 0.6298]
    assert all(r['snn_epochs'] == 4 and r['snn_settings'] == SETTINGS
               for r in written['runs'])
    assert written['runs'][1]['times_s'] == {
        'data': 1, 'ANN twin': 23, 'SNN': 678, 'test + pictures': 41,
        'total': 743}
    snn = written['snn']
    assert snn['snn_epochs'] == 4 and snn['twin'] == TWIN
    assert snn['snn_settings'] == SETTINGS
    assert snn['mean'] == pytest.approx(
        statistics.mean([0.62, 0.6113, 0.6298]), abs=1e-4)
    assert snn['std'] == pytest.approx(
        statistics.stdev([0.62, 0.6113, 0.6298]), abs=1e-4)


def test_the_job_flags_a_range_of_another_recipe(tmp_path):
    """run_main_job.sh's ``published`` (its heredoc, run as the job runs it)
    says when results.json's SNN range is for another schedule or other
    settings."""
    body = job_heredoc('published() {')
    results = tmp_path / 'results.json'
    entry = dict(mean=0.613, std=0.016, maps=[0.6, 0.63], seeds=[0, 1],
                 snn_epochs=4, snn_settings=SETTINGS)
    results.write_text(json.dumps(dict(snn=entry, ann_twin=entry)))

    def published(key, epochs, settings=SETTINGS):
        return subprocess.run(
            [sys.executable, '-', str(results), key, str(epochs), settings],
            input=body, text=True, capture_output=True, check=True).stdout

    assert published('snn', 4).startswith('published: 0.613 +- 0.016')
    assert 'not comparable' not in published('snn', 4)
    assert "for 4 SNN epochs, not this run's 5: not comparable" in \
        published('snn', 5)
    assert (f"for SNN settings {SETTINGS}, not this run's 45391113: not "
            'comparable') in published('snn', 4, '45391113')
    assert 'not comparable' not in published('ann_twin', 5, '45391113')


def test_the_settings_digest_follows_values_not_text(tmp_path):
    """The job's digest of the SNN config (its heredoc, run as the job runs
    it): comments and where a value is inherited from leave it as it is; a
    value (a loader's workers) changes it."""
    body = job_heredoc('read -r snn_epochs published_twin snn_settings')

    def digest(name, text):
        (tmp_path / name).write_text(text)
        out = subprocess.run(
            [sys.executable, '-', str(tmp_path / name)], input=body,
            text=True, capture_output=True, check=True).stdout.split()
        assert out[:2] == ['4', 'twin.pth']
        return out[2]

    base = ("load_from = 'twin.pth'\ntrain_cfg = dict(max_epochs=4)\n"
            'train_dataloader = dict(batch_size=8, num_workers={})\n')
    first = digest('a.py', base.format(1))
    assert len(first) == 8
    assert digest('b.py', '# a comment\n' + base.format(1)) == first
    (tmp_path / 'parent.py').write_text(base.format(1))
    assert digest('c.py', "_base_ = './parent.py'\n") == first
    assert digest('d.py', base.format(0)) != first
