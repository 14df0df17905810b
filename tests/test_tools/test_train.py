"""tools/train.py as users see it: a missing data set is one clear message;
a tiny config trains, and its checkpoint tests and infers; --resume refuses
what does not fit (the unwritable work dir: tests/test_utils/
test_work_dir.py); SIGTERM stops it with a checkpoint that --resume goes on
from. (Stops on non-finite numbers, signals during validation and a work
dir in use: test_train_stops.py.)"""
import json
import os
import os.path as osp
import re
import signal

from tests.tiny_voc import REPO_ROOT, tiny_runner_cfg
from tests.test_tools.tool_runner import assert_one_paragraph_error, run_tool

VOC_CONFIG = osp.join(REPO_ROOT, 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')


def test_missing_voc_says_where_how_to_get_it_and_how_to_point_elsewhere(
        tmp_path):
    result = run_tool('train.py', VOC_CONFIG, cwd=tmp_path)
    assert_one_paragraph_error(
        result, 'No data set at data/VOCdevkit/',
        osp.join(str(tmp_path), 'data/VOCdevkit'),
        'docs/dataset_prepare.md',
        'train_dataloader.dataset.datasets.0.data_root=',
        'train_dataloader.dataset.datasets.1.data_root=',
        'val_dataloader.dataset.data_root=')
    assert not osp.exists(tmp_path / 'work_dirs')  # nothing was started


def test_train_then_test_then_infer(tmp_path):
    tiny_runner_cfg(tmp_path, max_epochs=1)  # writes tmp_path/tiny.py + data
    config, work_dir = tmp_path / 'tiny.py', tmp_path / 'wd'
    result = run_tool('train.py', config, '--work-dir', work_dir,
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file()
    assert 'mmsnn data check' in result.stdout + result.stderr

    out = tmp_path / 'preds.pkl'
    result = run_tool('test.py', config, checkpoint, '--work-dir', work_dir,
                      '--out', out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'pascal_voc/mAP' in result.stdout + result.stderr
    assert out.is_file()

    image = tmp_path / 'data/VOC2007/JPEGImages/000002.jpg'
    result = run_tool('infer.py', image, config, checkpoint, '--out-dir',
                      tmp_path / 'infer', '--score-thr', 0, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    picture = tmp_path / 'infer/vis/000002.jpg'
    assert f'picture: {picture}' in result.stdout
    assert picture.is_file()
    with open(tmp_path / 'infer/preds/000002.json') as f:
        assert set(json.load(f)) >= {'labels', 'scores', 'bboxes'}


def test_bad_model_values_are_one_paragraph_naming_the_key(tmp_path):
    """Checked before anything is built or written; the message names the
    config key, as --cfg-options takes it."""
    tiny_runner_cfg(tmp_path, max_epochs=1)
    for option, culprits in [
        ('model.time_steps=0', ['model.time_steps must be a positive '
                                'integer', 'got 0']),
        ('model.bbox_head.decode_mode=median',
         ['model.bbox_head.decode_mode: ', "'median'"]),
        ('model.backbone.neuron_cfg.v_threshold=nan',
         ['model.backbone.neuron_cfg.v_threshold: IFNeuron: v_threshold '
          'must be a finite number > 0, got nan']),
        ('model.neck.neuron_cfg.type=IFNeurn',
         ["model.neck.neuron_cfg.type='IFNeurn'", "closest: 'IFNeuron'"]),
        ('train_dataloader.dataset.pipeline.2.type=Resise',
         ["train_dataloader.dataset.pipeline.2.type='Resise'",
          "'Resize'"]),
    ]:
        result = run_tool('train.py', tmp_path / 'tiny.py', '--work-dir',
                          tmp_path / 'wd', '--cfg-options', option,
                          cwd=tmp_path)
        assert_one_paragraph_error(result, *culprits)
        assert not (tmp_path / 'wd').exists()


def test_resume_refuses_another_width_and_a_truncated_file(tmp_path):
    import torch
    from mmengine.config import Config

    from mmdet.registry import MODELS
    from tests.conftest import narrow_yolov3
    tiny_runner_cfg(tmp_path, max_epochs=2)
    config, work_dir = tmp_path / 'tiny.py', tmp_path / 'wd'
    wider = Config.fromfile(str(config)).model
    narrow_yolov3(wider, widen_factor=1 / 8)
    wide = tmp_path / 'wide.pth'
    torch.save(dict(state_dict=MODELS.build(wider).state_dict(),
                    meta=dict(epoch=1, iter=1)), wide)
    result = run_tool('train.py', config, '--work-dir', work_dir, '--resume',
                      wide, cwd=tmp_path)
    assert_one_paragraph_error(
        result, f'Checkpoint {wide} does not fit the model of the config',
        'backbone.conv1.conv.weight: checkpoint (4, 3, 3, 3), model '
        '(2, 3, 3, 3)')
    assert 'size mismatch' not in result.stdout
    assert not [f for f in os.listdir(work_dir) if f.endswith('.pth')]

    half = tmp_path / 'half.pth'
    half.write_bytes(wide.read_bytes()[:wide.stat().st_size // 2])
    assert_one_paragraph_error(
        run_tool('train.py', config, '--work-dir', work_dir, '--resume',
                 half, cwd=tmp_path),
        f'Checkpoint file {half} (', 'not a complete checkpoint',
        'central directory')



def test_sigterm_stops_with_a_checkpoint_and_resume_goes_on(tmp_path):
    """A preempted job: SIGTERM from outside, once training has begun, to
    the tool and its DataLoader worker (SLURM signals every process of a
    job, torchrun a worker's process group): the worker must not die
    under the tool."""
    tiny_runner_cfg(tmp_path, max_epochs=50)  # the signal lands mid-run
    config, work_dir = tmp_path / 'tiny.py', tmp_path / 'wd'
    args = ['--work-dir', work_dir, '--cfg-options',
            'train_dataloader.batch_size=1',  # 2 iterations an epoch
            'train_dataloader.num_workers=1']
    # 'Epoch(train)' is logged after each iteration.
    result = run_tool('train.py', config, *args, cwd=tmp_path,
                      signal_on=('Epoch(train)', signal.SIGTERM),
                      signal_group=True)
    output = result.stdout + result.stderr
    assert result.returncode == 128 + signal.SIGTERM, output[-3000:]
    assert 'Traceback' not in output
    stop = re.search(r'mmsnn: training stopped by SIGTERM after iteration '
                     r'(\d+) \(epoch (\d+) in progress\); checkpoint (\S+) '
                     'written. Continue with the same command and --resume',
                     output)
    assert stop, output[-3000:]
    iteration, epoch, checkpoint = int(stop[1]), int(stop[2]), stop[3]
    assert checkpoint == str(work_dir / f'interrupted_iter_{iteration}.pth')
    assert (work_dir / 'last_checkpoint').read_text() == checkpoint

    # Finish the epoch in progress (a shorter run than the 50 epochs).
    result = run_tool('train.py', config, *args,
                      f'train_cfg.max_epochs={epoch}', '--resume',
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert f'resumed epoch: {epoch - 1}, iter: {iteration}' in log
    assert (work_dir / f'epoch_{epoch}.pth').is_file()
    assert not osp.exists(checkpoint)  # replaced by epoch_<epoch>.pth


def test_resume_with_nothing_to_resume_starts_from_load_from(tmp_path):
    """A job script that always passes --resume: at its first start the
    config's load_from initialises the model, as without --resume
    (mmdet's train.py drops load_from and trains from random weights)."""
    tiny_runner_cfg(tmp_path, max_epochs=1)
    config = tmp_path / 'tiny.py'
    first = run_tool('train.py', config, '--work-dir', tmp_path / 'first',
                     cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    checkpoint = tmp_path / 'first' / 'epoch_1.pth'
    work_dir = tmp_path / 'second'
    result = run_tool('train.py', config, '--work-dir', work_dir, '--resume',
                      '--cfg-options', f'load_from={checkpoint}',
                      cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert (f'--resume: no checkpoint in {work_dir} yet, so this is a fresh '
            f'start from load_from {checkpoint}') in output
    assert f'Load checkpoint from {checkpoint}' in output
    assert 'resumed epoch' not in output
