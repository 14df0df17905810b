"""tools/train.py and tools/test.py when a run must stop: a non-finite loss
or gradient stops it in that iteration, and every command its message
prints, pasted as printed, goes past the point of failure; a signal during
the last validation (or testing) is honoured with its exit status, and the
resumed run runs that validation; a second training in a work dir in use is
refused, naming the first. Each case builds its damaged input in a
temporary folder."""
import multiprocessing
import os
import re
import signal

import torch

from tests.test_tools.tool_runner import (assert_one_paragraph_error,
                                          printed_commands, run_printed,
                                          run_tool)
from tests.tiny_voc import tiny_runner_cfg

HOOKS_IMPORT = ("custom_imports = dict(imports=['mmsnn', "
                "'tests.test_tools.fault_hooks'], allow_failed_imports=False)"
                '\n')


def faulty_config(tmp_path, hooks, val=False, max_epochs=1):
    """The tiny training config, with ``hooks`` (a list's text) from
    tests/test_tools/fault_hooks.py and gradients not clipped."""
    tiny_runner_cfg(tmp_path, max_epochs=max_epochs, val=val)
    config = tmp_path / 'tiny.py'
    text = config.read_text().replace(
        'optim_wrapper = dict(optimizer=dict(lr=1e-2))',
        'optim_wrapper = dict(optimizer=dict(lr=1e-2), clip_grad=None)')
    config.write_text(text + HOOKS_IMPORT + f'custom_hooks = {hooks}\n')
    return config


def paste_each(result, cwd, count):
    """Run each of the ``count`` commands the message printed; return
    them."""
    commands = printed_commands(result.stderr)
    assert len(commands) == count, result.stderr[-3000:]
    for command in commands:
        pasted = run_printed(command, cwd)
        assert pasted.returncode == 0, (command, pasted.stderr[-3000:])
    return commands


def test_nan_loss_stops_in_its_iteration_and_every_printed_recipe_goes_on(
        tmp_path):
    """Diverges above lr 0.05 without clipping, from iteration 3 on (after
    the checkpoint of epoch 1): the message names the iteration and the
    last good checkpoint; resuming at a tenth of the lr, resuming with
    clipping and a new schedule from its weights each train to the end."""
    config = faulty_config(
        tmp_path, "[dict(type='DivergeHook', start=2, max_lr=0.05)]",
        max_epochs=2)
    work_dir = tmp_path / 'wd'
    result = run_tool('train.py', config, '--work-dir', work_dir,
                      '--cfg-options', 'optim_wrapper.optimizer.lr=0.1',
                      'train_dataloader.batch_size=1', cwd=tmp_path)
    good = work_dir / 'epoch_1.pth'
    assert_one_paragraph_error(
        result, 'the loss is not finite at iteration 3 (epoch 2, batch 1)',
        'The batch: ' + str(tmp_path / 'data/VOC2007/JPEGImages/'),
        f'The last good checkpoint is {good}.')
    assert sorted(f for f in os.listdir(work_dir) if f.endswith('.pth')) \
        == ['epoch_1.pth']  # the diverged step saved nothing
    resume, clip, new = paste_each(result, tmp_path, 3)
    assert resume.endswith(f'--resume {good} --reset-lr --cfg-options '
                           'optim_wrapper.optimizer.lr=0.01')
    assert clip.endswith(f"--resume {good} --cfg-options "
                         "'optim_wrapper.clip_grad=dict(max_norm=10)'")
    assert f'--work-dir {work_dir}_from_epoch_1 --cfg-options load_from=' \
           f'{good} optim_wrapper.optimizer.lr=0.01' in new
    for finished in (work_dir, tmp_path / 'wd_from_epoch_1'):
        last = torch.load(finished / 'epoch_2.pth', weights_only=True)
        assert all(v.isfinite().all() for v in last['state_dict'].values())


def test_nan_gradient_names_its_batch_and_the_run_goes_on_without_it(
        tmp_path):
    """A file whose batch makes a gradient NaN while the loss is finite:
    stopped in iteration 1 naming the parameter and the files; with the
    file out of the split, the printed command trains."""
    config = faulty_config(
        tmp_path, "[dict(type='DivergeHook', mode='grad', file='000001')]")
    work_dir = tmp_path / 'wd'
    result = run_tool('train.py', config, '--work-dir', work_dir,
                      cwd=tmp_path)
    images = tmp_path / 'data/VOC2007/JPEGImages'
    assert_one_paragraph_error(
        result, 'the gradient is not finite at iteration 1 (epoch 1, batch '
        '1) although the loss is (loss=', '1 of ',
        'bbox_head.convs_pred.0.bias (nan)', str(images / '000001.jpg'),
        str(images / '000000.jpg'), 'whatever the learning rate',
        'No checkpoint was saved before.')
    assert not [f for f in os.listdir(work_dir) if f.endswith('.pth')]
    commands = printed_commands(result.stderr)
    assert len(commands) == 3  # start again, lower lr, clipping
    (tmp_path / 'data/VOC2007/ImageSets/Main/trainval.txt').write_text(
        '000000\n')
    pasted = run_printed(commands[0], tmp_path)
    assert pasted.returncode == 0, pasted.stderr[-3000:]
    assert (work_dir / 'epoch_1.pth').is_file()


def test_nan_gradient_recipes_with_a_lower_lr_or_clipping_go_on(tmp_path):
    """The gradient becomes NaN above lr 0.05 without clipping (huge
    weights): the printed lower learning rate and clipping each train."""
    config = faulty_config(
        tmp_path, "[dict(type='DivergeHook', mode='grad', max_lr=0.05)]")
    result = run_tool('train.py', config, '--work-dir', tmp_path / 'wd',
                      '--cfg-options', 'optim_wrapper.optimizer.lr=0.1',
                      cwd=tmp_path)
    assert_one_paragraph_error(result, 'the gradient is not finite')
    again, lower, clip = printed_commands(result.stderr)
    assert lower.endswith('--cfg-options optim_wrapper.optimizer.lr=0.01')
    for command in (lower, clip):
        pasted = run_printed(command, tmp_path)
        assert pasted.returncode == 0, (command, pasted.stderr[-3000:])


def test_sigterm_in_the_last_validation_exits_143_and_resume_validates(
        tmp_path):
    """SIGTERM from outside while the final validation runs: status 143,
    one line naming the checkpoint; the printed command runs that
    validation (metrics logged), after which the run is finished."""
    config = faulty_config(tmp_path, "[dict(type='SlowValHook', seconds=1)]",
                           val=True)
    work_dir = tmp_path / 'wd'
    result = run_tool('train.py', config, '--work-dir', work_dir,
                      cwd=tmp_path, signal_on=('Epoch(val)', signal.SIGTERM))
    output = result.stdout + result.stderr
    assert result.returncode == 128 + signal.SIGTERM, output[-3000:]
    assert 'Traceback' not in output
    checkpoint = work_dir / 'interrupted_iter_1.pth'
    assert (f'mmsnn: training stopped by SIGTERM at the validation after '
            f'iteration 1 (epoch 1); checkpoint {checkpoint} written, with '
            'that validation still to run') in output
    assert 'pascal_voc/mAP' not in output  # the validation was cut short
    assert (work_dir / 'epoch_1.pth').is_file()  # nothing written was lost
    (command, ) = printed_commands(result.stderr)
    assert command.endswith(f'--resume {checkpoint}')

    resumed = run_printed(command, tmp_path)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    assert 'that a stop signal cut short' in output
    assert 'pascal_voc/mAP' in output
    # (A one-key neuron override is accepted: the refusal comes after the
    # model is built.)
    assert_one_paragraph_error(
        run_tool('train.py', config, '--work-dir', work_dir, '--resume',
                 '--cfg-options', 'model.backbone.neuron_cfg.reset_mode=hard',
                 cwd=tmp_path),
        f'--resume {checkpoint}: that run has already finished: it is at '
        'epoch 1 and the config trains 1 epochs')


def test_sigint_during_testing_exits_130_and_writes_nothing(tmp_path):
    from mmengine.config import Config

    from mmdet.registry import MODELS
    config = faulty_config(tmp_path, "[dict(type='SlowValHook', seconds=1)]")
    checkpoint = tmp_path / 'model.pth'
    torch.save(dict(state_dict=MODELS.build(
        Config.fromfile(str(config)).model).state_dict()), checkpoint)
    out = tmp_path / 'preds.pkl'
    result = run_tool('test.py', config, checkpoint, '--work-dir',
                      tmp_path / 'wd', '--out', out, cwd=tmp_path,
                      signal_on=('Epoch(test)', signal.SIGINT))
    output = result.stdout + result.stderr
    assert result.returncode == 128 + signal.SIGINT, output[-3000:]
    assert 'Traceback' not in output
    assert re.search(r'mmsnn: testing stopped by SIGINT after 1 of 1 '
                     r'batches; nothing of it was written', output)
    assert not out.exists()


def _hold_lock(work_dir, ready):
    from mmsnn.engine import WorkDirLock
    WorkDirLock(str(work_dir), ['python', 'tools/train.py', 'other.py']
                ).acquire()
    ready.set()
    signal.pause()


def test_second_training_in_a_work_dir_in_use_is_refused(tmp_path):
    """Another run holds the work dir: refused before anything is written,
    naming it; once that run is dead (SIGKILL, no release), its lock is
    taken over."""
    tiny_runner_cfg(tmp_path, max_epochs=1)
    work_dir = tmp_path / 'wd'
    work_dir.mkdir()
    (work_dir / 'epoch_1.pth').write_bytes(b'the other run\'s')
    context = multiprocessing.get_context('fork')
    ready = context.Event()
    holder = context.Process(target=_hold_lock, args=(work_dir, ready))
    holder.start()
    try:
        assert ready.wait(60)
        before = sorted(os.listdir(work_dir))
        result = run_tool('train.py', tmp_path / 'tiny.py', '--work-dir',
                          work_dir, cwd=tmp_path)
        assert_one_paragraph_error(
            result, f'The work dir {work_dir} is in use by another training:'
            f' pid {holder.pid} on host ', 'python tools/train.py other.py',
            'another --work-dir')
        assert sorted(os.listdir(work_dir)) == before
        assert (work_dir / 'epoch_1.pth').read_bytes() == b'the other run\'s'
    finally:
        holder.kill()
        holder.join()
    result = run_tool('train.py', tmp_path / 'tiny.py', '--work-dir',
                      work_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'took over the lock of pid {holder.pid}' in result.stdout + \
        result.stderr
    assert not (work_dir / 'train.lock').exists()  # released at the end
