"""Train a detector: mmdet's tools/train.py with mmsnn registered.

Same arguments as mmdet's, and ``--reset-lr``. In addition, before anything
is built, the config, the data it points at and the work dir are checked (a
missing data root, a bad annotation or a read-only work dir is reported as
one clear message), ``load_from`` / ``--resume`` checkpoints are checked
against the model (see :mod:`mmsnn.engine.checkpoint`), and mmsnn's
reliability hooks and loops are added (see
:func:`mmsnn.engine.add_reliability_hooks`): atomic checkpoints that
torch's weights-only loader reads; a stop at the first non-finite loss or
gradient; Ctrl-C or SIGTERM ends the iteration (or the validation batch),
saves a checkpoint and exits with 128 + the signal number. The work dir is
locked: a second training there stops before writing anything
(:class:`mmsnn.engine.WorkDirLock`). Checkpoints of mmengine's stock hook
load too (:func:`mmsnn.engine.safe_checkpoint_loading`). docs/faults.md
lists the messages.
"""
import argparse
import os
import os.path as osp
import sys
from contextlib import nullcontext

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.registry import RUNNERS, init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmdet.utils import setup_cache_size_limit_of_dynamo  # noqa: E402

import mmsnn  # noqa: E402,F401  (registers components)
from mmsnn.engine import (WorkDirLock,  # noqa: E402
                          add_reliability_hooks, check_checkpoint_file,
                          check_load_from, check_resume,
                          closing_process_group, find_resume_checkpoint,
                          report_stop_signals, safe_checkpoint_loading,
                          setup_distributed)
from mmsnn.datasets import check_data  # noqa: E402
from mmsnn.engine.tool_config import load_runner_config  # noqa: E402
from mmsnn.utils import (InputError, add_runner_args,  # noqa: E402
                         check_work_dir, parse_runner_args,
                         report_input_errors)
from mmsnn.utils.tool_command import tool_command  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Train a detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='enable automatically scaling LR.')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not '
        'specify, try to auto resume from the latest checkpoint '
        'in the work directory.')
    parser.add_argument(
        '--reset-lr',
        action='store_true',
        help='with --resume: the learning rate of the config (e.g. a lower '
        'optim_wrapper.optimizer.lr from --cfg-options) replaces the one '
        'stored in the checkpoint, and the schedule goes on from there '
        '(see mmsnn.engine.ResetLrHook)')
    add_runner_args(parser)
    return parse_runner_args(parser)


def main(command):
    args = parse_args()
    setup_cache_size_limit_of_dynamo()

    cfg = load_runner_config(args.config, args.cfg_options, args.work_dir,
                             args.launcher)

    if args.amp is True:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and \
                'enable' in cfg.auto_scale_lr and \
                'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('Can not find "auto_scale_lr" or '
                               '"auto_scale_lr.enable" or '
                               '"auto_scale_lr.base_batch_size" in your'
                               ' configuration file.')

    # resume is determined in this priority: resume from > auto_resume
    config_load_from = cfg.get('load_from')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    # Fail on bad input now rather than after the model and loaders are up.
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    if cfg.get('resume') and not cfg.get('load_from'):
        # What mmengine's auto-resume would pick, checked (None: no pointer,
        # a fresh start).
        cfg.load_from = find_resume_checkpoint(cfg.work_dir)
        if cfg.load_from is None and config_load_from:
            # Nothing to resume yet (a job script that always passes
            # --resume, at its first start): start as without --resume,
            # from the config's load_from, not from random weights.
            print(f'--resume: no checkpoint in {cfg.work_dir} yet, so '
                  f'this is a fresh start from load_from '
                  f'{config_load_from}, as without --resume.', flush=True)
            cfg.resume, cfg.load_from = False, config_load_from
    if args.reset_lr and not cfg.get('resume'):
        raise InputError('--reset-lr replaces the learning rate that '
                         '--resume restores from a checkpoint; use it with '
                         '--resume (with load_from, the config\'s learning '
                         'rate is used anyway).')
    check_checkpoint_file(cfg.get('load_from'),
                          '--resume' if cfg.get('resume') else 'load_from')
    loaders = ['train_dataloader']
    if cfg.get('val_cfg') is not None:
        loaders.append('val_dataloader')
    check_data(cfg, loaders, args.config)
    check_work_dir(cfg.work_dir)
    add_reliability_hooks(cfg, command)
    if args.reset_lr:
        cfg.custom_hooks.append(dict(type='ResetLrHook'))
    setup_distributed(cfg)  # gloo where there is no GPU

    # Rank 0 holds the work dir for the run (torchrun sets RANK).
    rank0 = int(os.environ.get('RANK', 0)) == 0
    with WorkDirLock(cfg.work_dir, command) if rank0 else nullcontext():
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        if cfg.get('load_from') and cfg.get('resume'):
            check_resume(runner.model, cfg, cfg.load_from)
        elif cfg.get('load_from'):
            check_load_from(runner.model, cfg.load_from)

        with safe_checkpoint_loading():  # checked above, weights only
            runner.train()


if __name__ == '__main__':
    # (the command line, for the commands that messages print)
    command = tool_command(sys.argv)
    with report_input_errors(), report_stop_signals(command), \
            closing_process_group():
        main(command)
