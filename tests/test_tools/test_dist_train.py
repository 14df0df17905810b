"""tools/dist_train.sh and tools/dist_test.sh on a CPU-only machine: two
processes (torchrun, gloo) train a tiny SNN-YOLOv3, resume it and test it.

One module-scoped run trains 2 epochs (2 iterations each); the tests then
read what each rank left behind.
"""
import os
import os.path as osp
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from tests.tiny_voc import REPO_ROOT, tiny_config_text, write_tiny_voc

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='the CPU (gloo) path; GPUs use NCCL')

EPOCHS = 2


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _command(script, *args):
    """``bash tools/<script> ...`` and its environment (a free port)."""
    return (['bash', osp.join(REPO_ROOT, 'tools', script), *map(str, args)],
            dict(os.environ, PYTHON=sys.executable, PORT=str(_free_port())))


def run_script(script, *args, cwd, check=True):
    """bash tools/<script> ... as a user runs it, on a free port."""
    command, env = _command(script, *args)
    result = subprocess.run(command, capture_output=True, text=True,
                            cwd=str(cwd), env=env, timeout=300)
    assert result.returncode == 0 or not check, (result.stdout[-2000:] +
                                                 result.stderr[-4000:])
    return result


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def _differ(a, b):
    assert a.keys() == b.keys()
    return [k for k in a if not torch.equal(a[k], b[k])]


@pytest.fixture(scope='module')
def dist_run(tmp_path_factory):
    """Config, data and the work dir of a 2-process, 2-epoch training."""
    root = tmp_path_factory.mktemp('dist')
    # 8 train images: 2 per rank and step, 2 steps an epoch; 3 test images,
    # so the distributed sampler pads one rank and the results are cut back.
    data = write_tiny_voc(str(root / 'data'), num_train=8, num_test=3,
                          size=32)
    config = root / 'tiny.py'
    config.write_text(
        tiny_config_text(
            data, max_epochs=EPOCHS,
            extra="custom_imports = dict(imports=['mmsnn', "
            "'tests.test_tools.dist_hooks'], allow_failed_imports=False)\n"
            "custom_hooks = [dict(type='RankRecordHook')]\n").replace(
                'img_scale = (64, 64)', 'img_scale = (32, 32)'))
    work_dir = root / 'work_dir'
    run_script('dist_train.sh', config, 2, '--work-dir', work_dir, cwd=root)
    return root, config, work_dir


def test_ranks_train_the_same_weights_and_only_rank0_saves(dist_run):
    _, _, work_dir = dist_run
    rank0 = _weights(work_dir / 'weights_rank0.pth')
    rank1 = _weights(work_dir / 'weights_rank1.pth')
    differ = _differ(rank0['params'], rank1['params'])
    assert not differ, f'replicas differ in {differ[:3]}'
    # BN statistics are each rank's own (mmengine's DDP does not broadcast
    # buffers; SyncBN would average them); rank 0's are checkpointed.
    assert _differ(rank0['buffers'], rank1['buffers'])
    # It did train: the last checkpoint holds rank 0's weights, and the
    # first epoch's differ from them.
    last = torch.load(work_dir / f'epoch_{EPOCHS}.pth', map_location='cpu',
                      weights_only=False)['state_dict']
    first = torch.load(work_dir / 'epoch_1.pth', map_location='cpu',
                       weights_only=False)['state_dict']
    assert not _differ({k: last[k] for k in rank0['params']},
                       rank0['params'])
    assert not _differ({k: last[k] for k in rank0['buffers']},
                       rank0['buffers'])
    assert _differ({k: first[k] for k in rank0['params']}, rank0['params'])
    # One save per epoch, each by rank 0 only.
    saves = (work_dir / 'saves.txt').read_text().split('\n')
    assert [s for s in saves if s] == [f'0 {e}' for e in range(1, EPOCHS + 1)]


def test_resumed_distributed_run_equals_uninterrupted(dist_run):
    root, config, work_dir = dist_run
    resumed = root / 'resumed'
    os.makedirs(resumed)
    # As if the run had stopped after its first epoch.
    shutil.copy(work_dir / 'epoch_1.pth', resumed / 'epoch_1.pth')
    (resumed / 'last_checkpoint').write_text(str(resumed / 'epoch_1.pth'))
    result = run_script('dist_train.sh', config, 2, '--work-dir', resumed,
                        '--resume', cwd=root)
    assert 'resumed epoch: 1' in result.stdout + result.stderr
    straight = _weights(work_dir / 'weights_rank0.pth')
    for rank in (0, 1):
        again = _weights(resumed / f'weights_rank{rank}.pth')
        differ = _differ(straight['params'], again['params'])
        assert not differ, f'rank {rank}: {differ[:3]} differ after resume'
    # Rank 0's BN statistics too (rank 1 restarts from rank 0's).
    assert not _differ(straight['buffers'],
                       _weights(resumed / 'weights_rank0.pth')['buffers'])


def test_signal_to_one_rank_stops_both_and_resume_is_exact(dist_run):
    """SIGTERM reaches rank 1 alone in the first iteration: both ranks stop
    after it (mid-epoch), one checkpoint is written, and --resume ends
    with the uninterrupted run's weights on both ranks."""
    root, _, work_dir = dist_run
    # The dist_run's config, with the signal (iteration 0 never comes again
    # in the resumed run).
    config = root / 'signal_rank1.py'
    config.write_text(
        "_base_ = './tiny.py'\n"
        "custom_hooks = [dict(type='RankRecordHook'),\n"
        "                dict(type='SignalRankHook', rank=1, at=0)]\n")
    stopped = root / 'stopped'
    result = run_script('dist_train.sh', config, 2, '--work-dir', stopped,
                        cwd=root, check=False)
    output = result.stdout + result.stderr
    # Both ranks exit with 143: so does torchrun (tools/dist_run.py).
    assert result.returncode == 128 + signal.SIGTERM, output[-4000:]
    assert 'Traceback' not in output, output[-4000:]
    checkpoint = stopped / 'interrupted_iter_1.pth'
    # Rank 0 may be stopped by torchrun before it says so itself.
    assert (f'mmsnn: training stopped by SIGTERM after iteration 1 (epoch 1 '
            f'in progress); checkpoint {checkpoint} written'
            in output), output[-4000:]
    assert (stopped / 'last_checkpoint').read_text() == str(checkpoint)
    assert (stopped / 'saves.txt').read_text() == '0 0\n'  # rank 0, once

    run_script('dist_train.sh', config, 2, '--work-dir', stopped,
               '--resume', cwd=root)
    straight = _weights(work_dir / 'weights_rank0.pth')
    for rank in (0, 1):
        again = _weights(stopped / f'weights_rank{rank}.pth')
        differ = _differ(straight['params'], again['params'])
        assert not differ, f'rank {rank}: {differ[:3]} differ after resume'


def test_sigterm_to_torchrun_stops_every_rank_with_one_checkpoint(dist_run):
    """The launcher gets the signal (a scheduler's, or Ctrl-C at the
    terminal): torchrun passes it on to each rank's process group,
    DataLoader workers included, which must not die under the ranks; the
    job ends with one line from the launcher and status 143."""
    root, _, _ = dist_run
    config = root / 'long_with_workers.py'
    config.write_text("_base_ = './tiny.py'\n"
                      'train_cfg = dict(max_epochs=50)\n'  # lands mid-run
                      'train_dataloader = dict(num_workers=1)\n')
    stopped = root / 'stopped_launcher'
    log = root / 'launcher.log'
    command, env = _command('dist_train.sh', config, 2, '--work-dir',
                            stopped)
    with open(log, 'w') as out:
        # bash execs into torchrun: this pid is the launcher's.
        launcher = subprocess.Popen(command, stdout=out,
                                    stderr=subprocess.STDOUT, cwd=str(root),
                                    env=env)
        try:
            deadline = time.monotonic() + 200
            while 'Epoch(train)' not in log.read_text():
                assert launcher.poll() is None, log.read_text()[-4000:]
                assert time.monotonic() < deadline, 'training never started'
                time.sleep(0.1)
            launcher.send_signal(signal.SIGTERM)
            returncode = launcher.wait(timeout=200)
        finally:
            launcher.kill()
    output = log.read_text()
    assert returncode == 128 + signal.SIGTERM, output[-4000:]
    assert 'Traceback' not in output, output[-4000:]
    assert 'mmsnn: torchrun got SIGTERM and passed it on' in output
    stops = re.findall(r'mmsnn: training stopped by SIGTERM after iteration '
                       r'(\d+) .*; checkpoint (\S+) written', output)
    assert stops and len(set(stops)) == 1, output[-4000:]  # the same stop
    iteration, checkpoint = stops[0]
    assert checkpoint == str(stopped / f'interrupted_iter_{iteration}.pth')
    assert (stopped / 'last_checkpoint').read_text() == checkpoint


def test_distributed_test_equals_single_process_test(dist_run):
    root, config, work_dir = dist_run
    checkpoint = work_dir / f'epoch_{EPOCHS}.pth'
    # Keep every box: a barely trained model scores below the defaults.
    keep_all = ['--cfg-options', 'model.test_cfg.score_thr=0',
                'model.test_cfg.conf_thr=0']
    single = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), config,
         checkpoint, '--work-dir', root / 'test1', '--out',
         root / 'single.pkl', *keep_all],
        capture_output=True, text=True, cwd=str(root))
    assert single.returncode == 0, single.stderr[-4000:]
    dist = run_script('dist_test.sh', config, checkpoint, 2, '--work-dir',
                      root / 'test2', '--out', root / 'dist.pkl', *keep_all,
                      cwd=root)

    def metric(output):
        return [line.split('pascal_voc/mAP: ')[1].split()[0]
                for line in output.splitlines() if 'pascal_voc/mAP: ' in line]

    assert metric(single.stdout + single.stderr) == metric(
        dist.stdout + dist.stderr) != []
    with open(root / 'single.pkl', 'rb') as f:
        one = pickle.load(f)
    with open(root / 'dist.pkl', 'rb') as f:
        two = pickle.load(f)
    # Every test image once, in the data set's order, with the same boxes.
    assert [r['img_id'] for r in two] == [r['img_id'] for r in one]
    assert len(one) == 3
    for a, b in zip(one, two):
        pa, pb = a['pred_instances'], b['pred_instances']
        assert len(pa['scores']) > 0
        torch.testing.assert_close(pb['scores'], pa['scores'])
        torch.testing.assert_close(pb['bboxes'], pa['bboxes'])
        assert torch.equal(pb['labels'], pa['labels'])


def test_busy_port_is_one_paragraph_with_the_command_on_a_free_one(
        tmp_path):
    """Another program listens on PORT: torchrun's 39-line traceback
    becomes one paragraph that names the port and prints the same launch
    on a free one; nothing is started."""
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        command, env = _command('dist_train.sh', 'cfg.py', 2, '--work-dir',
                                'wd')
        result = subprocess.run(command, capture_output=True, text=True,
                                cwd=str(tmp_path),
                                env=dict(env, PORT=str(port)), timeout=300)
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    assert f'mmsnn error: port {port} is in use on this machine' \
        in result.stderr
    printed = result.stderr.split('\n    ')[1].split()
    assert printed[0].startswith('PORT=') and printed[0] != f'PORT={port}'
    assert printed[-6:] == ['bash', osp.join(REPO_ROOT, 'tools',
                                             'dist_train.sh'), 'cfg.py', '2',
                            '--work-dir', 'wd']
    assert not list(tmp_path.iterdir())
