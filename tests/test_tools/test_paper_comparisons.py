"""tools/analysis_tools/paper_comparisons.py: the whole pipeline on tiny VOC
data (smoke schedule), and its claims logic on constructed results."""
import json
import os
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config

from ..tiny_voc import tiny_config_text, write_tiny_voc
from .test_convert_ann_to_snn import ANN_TWIN
from .test_get_energy import load_tool

SMALL = ('img_scale = (64, 64)', 'img_scale = (32, 32)')


def test_whole_pipeline_on_tiny_data(tmp_path):
    tool = load_tool('paper_comparisons')
    data_root = write_tiny_voc(osp.join(str(tmp_path), 'data'))
    snn, ann = (osp.join(str(tmp_path), f'{n}.py') for n in ('snn', 'ann'))
    with open(snn, 'w') as f:
        f.write(tiny_config_text(data_root, val=True).replace(*SMALL))
    with open(ann, 'w') as f:
        f.write(ANN_TWIN.format(snn=snn))
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
    tool.main(args)
    text = open(out).read()
    with open(osp.join(work, 'results.json')) as f:
        results = json.load(f)
    with open(osp.join(str(tmp_path), 'docs', 'cmp.json')) as f:
        assert json.load(f) == results  # kept beside the write-up
    # every SG variant ran, with a curve, and everything reached the report
    assert set(results['sg']) == set(tool.VARIANTS)
    for label, entry in results['sg'].items():
        assert len(entry['runs']) == 1 and entry['runs'][0]['curve']
        assert label in text
    assert results['ann']['trained_here'] is None
    assert [r['time_steps'] for r in results['conversion']['results']] == [
        2, 4]
    for needle in ('Spiking-YOLO T=4', 'test CPU', 'cmp_fig2.png',
                   'CMD beats rate decoding', 'VOC mAP@0.5'):
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
    again = tool.main(args)
    assert {f: os.stat(osp.join(runs, f)).st_mtime_ns
            for f in os.listdir(runs)} == stamps
    assert again['sg'] == results['sg']
    # ... and with --jobs 2 reruns the missing ones in two child processes
    # (their logs in work/logs), leaving the others alone
    lost = ['sgcmd_t4_seed0.json', 'sgrate_t6_seed0.json']
    for f in lost:
        os.remove(osp.join(runs, f))
    tool.main(args + ['--jobs', '2'])
    assert sorted(os.listdir(osp.join(work, 'logs'))) == [
        'sgcmd_t4_seed0.log', 'sgrate_t6_seed0.log']
    for f in set(stamps) - set(lost):
        assert os.stat(osp.join(runs, f)).st_mtime_ns == stamps[f], f
    with open(osp.join(work, 'results.json')) as f:
        rerun = json.load(f)
    assert [r['seed'] for r in rerun['sg']['SG+rate T=6']['runs']] == [0]
    assert rerun['meta']['jobs'] == 2
    # a changed setting (here the schedule's data root) is not reused
    settings = tool.task_settings(tool.parse_args(args), 'conversion')
    assert tool.task_settings(tool.parse_args(
        args + ['--data-root', 'elsewhere/']), 'conversion') != settings


def test_claims_follow_the_numbers():
    tool = load_tool('paper_comparisons')

    def entry(t, maps, energy):
        return dict(best=maps, time_steps=t, ops=dict(energy_45nm_j=energy))

    summary = {
        'SG+CMD T=4': entry(4, [0.60, 0.62, 0.61], 3e-5),
        'SG+CMD T=6': entry(6, [0.58, 0.59, 0.57], 4e-5),
        'SG+rate T=6': entry(6, [0.50, 0.52, 0.51], 4e-5),
    }
    conversion = dict(results=[
        dict(time_steps=8, map=0.1, energy_45nm_j=1e-5),
        dict(time_steps=512, map=0.55, energy_45nm_j=9e-4),
        dict(time_steps=1024, map=0.63, energy_45nm_j=2e-3)])
    got = {c['claim']: c for c in tool.claims(summary, conversion)}
    cmd, t6, conv = (got[k] for k in got)
    assert cmd['holds'] and '58.00' in cmd['numbers']
    assert not t6['holds']  # T=6 below T=4 here
    # SG+CMD T=4 (61.0) is below the conversion at T=1024 (63.0)
    assert not conv['holds'] and 'T=1024' in conv['numbers']
    assert 'T=8' not in conv['numbers']  # only hundreds of steps and more
    assert 'the conversion scores higher' in conv['numbers']
    assert 'it uses less energy than each' in conv['numbers']
    # beside it, the conversion at the SG run's energy (3e-5 J: T=512)
    assert conv['note'].startswith("the conversion's first T that spends "
                                   'at least that energy (T=512, 900 uJ) '
                                   'scores 55.00')
    mean, std = tool.mean_std([0.5, 0.7])
    assert abs(mean - 0.6) < 1e-12 and abs(std - 0.1414213) < 1e-6


def test_a_stopped_comparison_stops_its_lanes(tmp_path, monkeypatch):
    """Ctrl-C in the parent terminates the running child processes rather
    than leaving them training, orphaned."""
    import subprocess
    tool = load_tool('paper_comparisons')
    started = []

    class Child:
        def __init__(self, cmd, **kwargs):
            self.cmd, self.stopped = cmd, False
            started.append(self)

        def poll(self):
            return None  # still training

        def terminate(self):
            self.stopped = True

        def wait(self):
            return -15

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, 'Popen', Child)
    monkeypatch.setattr(tool.time, 'sleep', interrupt)
    args = tool.parse_args(['--smoke', '--ann-checkpoint', 'x.pth',
                            '--work-dir', str(tmp_path), '--jobs', '2'])
    with pytest.raises(KeyboardInterrupt):
        tool.run_in_lanes(args, ['--smoke'], ['a', 'b', 'c'], print)
    assert [c.cmd[-1] for c in started] == ['a', 'b']  # two lanes
    assert all(c.stopped for c in started)


def test_the_ann_twin_defaults_to_the_snn_configs_load_from(
        tmp_path, monkeypatch, capsys):
    tool = load_tool('paper_comparisons')
    # mini-VOC: the published twin, found from any working folder
    monkeypatch.chdir(tmp_path)
    args = tool.parse_args([])
    published = Config.fromfile(osp.join(
        tool.REPO, 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py')).load_from
    assert args.ann_checkpoint == osp.join(tool.REPO, published)
    assert osp.isfile(args.ann_checkpoint)
    # an SNN config without load_from (VOC's) or with a missing file: named
    for load_from, message in ((None, 'has no load_from'),
                               ('gone.pth', 'gone.pth (load_from of')):
        snn = tmp_path / 'snn.py'
        snn.write_text(f'load_from = {load_from!r}\n')
        with pytest.raises(SystemExit):
            tool.parse_args(['--snn-config', str(snn)])
        assert message in capsys.readouterr().err
