""".dev_scripts/paper_comparisons.py: the whole pipeline on tiny VOC data
(smoke schedule), stored runs reused, missing ones rerun in lanes (the
pieces: tests/test_analysis/test_paper_comparisons)."""
import json
import os
import os.path as osp

import torch
from mmdet.registry import MODELS
from mmengine.config import Config

from mmsnn.analysis.paper_comparisons import VARIANTS
from tests.conftest import repo_path
from tests.test_tools.tool_runner import run_script
from tests.tiny_voc import (ann_twin_config_text, tiny_config_text,
                            write_tiny_voc)

SCRIPT = repo_path('.dev_scripts', 'paper_comparisons.py')
SMALL = ('img_scale = (64, 64)', 'img_scale = (32, 32)')


def run(args, cwd):
    result = run_script(SCRIPT, *args, cwd=cwd)
    assert result.returncode == 0, result.stdout[-3000:] + \
        result.stderr[-3000:]
    return result


def test_whole_pipeline_on_tiny_data(tmp_path):
    data_root = write_tiny_voc(osp.join(str(tmp_path), 'data'))
    snn, ann = (osp.join(str(tmp_path), f'{n}.py') for n in ('snn', 'ann'))
    with open(snn, 'w') as f:
        f.write(tiny_config_text(data_root, val=True).replace(*SMALL))
    with open(ann, 'w') as f:
        f.write(ann_twin_config_text(snn))
    # a ready ANN checkpoint (random weights): training the twin when it is
    # missing would cost one more runner here
    torch.manual_seed(0)
    ckpt = osp.join(str(tmp_path), 'ann.pth')
    torch.save(dict(state_dict=MODELS.build(Config.fromfile(ann).model)
                    .state_dict()), ckpt)
    out = osp.join(str(tmp_path), 'docs', 'cmp.md')
    work = osp.join(str(tmp_path), 'work')
    args = ['--smoke', '--ann-config', ann, '--snn-config', snn,
            '--ann-checkpoint', ckpt,
            '--work-dir', work, '--out', out, '--hardware', 'test CPU']
    run(args, tmp_path)
    text = open(out).read()
    with open(osp.join(work, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(str(tmp_path), 'docs', 'cmp.json')) as f:
        assert json.load(f) == results  # kept beside the write-up
    # every SG variant ran, with a curve, and everything reached the report
    assert set(results['sg']) == set(VARIANTS)
    for label, entry in results['sg'].items():
        assert len(entry['runs']) == 1
        assert entry['runs'][0]['curve'] == [dict(
            epoch=1, map=entry['runs'][0]['best_map'])]
        assert label in text
    assert results['ann']['trained_here'] is None
    assert [r['time_steps'] for r in results['conversion']['results']] == [
        2, 4]
    assert results['meta']['command'] == (
        'python .dev_scripts/paper_comparisons.py ' + ' '.join(args))
    for needle in ('Spiking-YOLO T=4', 'test CPU', 'cmp_fig2.png',
                   'CMD beats rate decoding', 'VOC mAP@0.5',
                   'Written by `.dev_scripts/paper_comparisons.py`'):
        assert needle in text, needle
    # the ANN twin is the SNN's layers: same dense MACs, counted by
    # mmsnn.analysis (ANN, SG runs) and by the conversion's own counter
    macs = results['ann']['ops']['macs_per_step']
    assert results['sg']['SG+CMD T=4']['runs'][0]['ops'][
        'macs_per_step'] == macs
    assert results['conversion']['results'][0]['macs_per_step'] == macs
    assert osp.getsize(osp.join(str(tmp_path), 'docs', 'cmp_fig2.png')) > 0
    assert osp.getsize(osp.join(str(tmp_path), 'docs', 'cmp_fig4.png')) > 0

    # a second invocation reuses every stored run ...
    runs = osp.join(work, 'runs')
    stamps = {f: os.stat(osp.join(runs, f)).st_mtime_ns
              for f in os.listdir(runs)}
    assert '5 of 5 runs stored' in run(args, tmp_path).stdout
    assert {f: os.stat(osp.join(runs, f)).st_mtime_ns
            for f in os.listdir(runs)} == stamps
    with open(osp.join(work, 'results.json')) as f:
        assert json.load(f)['sg'] == results['sg']
    # ... and with --jobs 2 reruns the missing ones in two child processes
    # (their logs in work/logs), leaving the others alone
    lost = ['sgcmd_t4_seed0.json', 'sgrate_t6_seed0.json']
    for f in lost:
        os.remove(osp.join(runs, f))
    run(args + ['--jobs', '2'], tmp_path)
    assert sorted(os.listdir(osp.join(work, 'logs'))) == [
        'sgcmd_t4_seed0.log', 'sgrate_t6_seed0.log']
    for f in set(stamps) - set(lost):
        assert os.stat(osp.join(runs, f)).st_mtime_ns == stamps[f], f
    with open(osp.join(work, 'results.json')) as f:
        rerun = json.load(f)
    assert [r['seed'] for r in rerun['sg']['SG+rate T=6']['runs']] == [0]
    assert rerun['meta']['jobs'] == 2
