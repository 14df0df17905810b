"""The comparisons' runs in this process: the ANN twin's test (and
training, if its checkpoint is missing) and one SG run, each with the
operations and energy of its model."""
import argparse
import copy
import os
import os.path as osp
import shutil
import time
from typing import List, Tuple

from mmengine.config import Config
from mmengine.runner import Runner

from ..energy import SpikeOpAnalyzer
from .configs import MAP_KEYS, headline, load_cfg, protocol, sg_run_config
from .presets import VARIANTS


def count_ops(model, cfg: Config, num_images: int) -> dict:
    """Per-image MACs / SOPs / energies of a trained model on test images.

    Args:
        model (nn.Module): The detector.
        cfg (Config): Its config (its ``test_dataloader``).
        num_images (int): How many test images to average over.

    Returns:
        dict: ``time_steps``, ``macs_per_step``, ``real_macs``, ``sops``,
        ``energy_45nm_j``, ``ann_energy_45nm_j``, ``chip_flops_per_step``,
        ``chip_energy_j``, ``mean_firing_rate`` and ``images``.
    """
    loader_cfg = copy.deepcopy(cfg.test_dataloader)
    loader_cfg.batch_size = 1
    loader = Runner.build_dataloader(loader_cfg)
    analyzer = SpikeOpAnalyzer(model.eval())
    for i, batch in enumerate(loader):
        if i >= num_images:
            break
        data = model.data_preprocessor(batch, False)
        analyzer.forward(data['inputs'], data['data_samples'])
    rep = analyzer.report()
    chip = rep.get('chip') or {}
    return dict(time_steps=rep['time_steps'],
                macs_per_step=rep['totals']['macs_per_step'],
                real_macs=rep['totals']['real_macs'],
                sops=rep['totals']['sops'],
                energy_45nm_j=rep['totals']['snn_energy_j'],
                ann_energy_45nm_j=rep['totals']['ann_energy_j'],
                chip_flops_per_step=chip.get('flops_per_step'),
                chip_energy_j=chip.get('energy_j'),
                mean_firing_rate=(rep.get('firing_rates') or {}).get('mean'),
                images=rep['num_images'])


def val_curve(runner: Runner) -> List[dict]:
    """The mAP@0.5 of every validation of a finished training, by epoch.

    mmengine's ``RuntimeInfoHook`` keeps each validation's metrics in the
    runner's message hub (``val/<metric>``); a config that validates after
    every epoch from the first (:func:`sg_run_config`) gives one per epoch.

    Args:
        runner (Runner): The runner, after ``train()``.

    Returns:
        list[dict]: ``dict(epoch, map)`` per epoch.

    Raises:
        RuntimeError: The validations are not one per epoch.
    """
    scalars = runner.message_hub.log_scalars
    key = next((k for k in MAP_KEYS if f'val/{k}' in scalars), None)
    maps = [] if key is None else scalars[f'val/{key}'].data[0].tolist()
    if len(maps) != runner.epoch:
        raise RuntimeError(
            f'{len(maps)} validations with an mAP@0.5 ({MAP_KEYS}) in '
            f'{runner.epoch} epochs: the run must validate after every '
            'epoch with VOCMetric or CocoMetric')
    return [dict(epoch=epoch, map=float(value))
            for epoch, value in enumerate(maps, 1)]


def run_training(cfg: Config) -> Tuple[Runner, float]:
    """Train ``cfg`` with mmengine's runner.

    Args:
        cfg (Config): The run's config.

    Returns:
        tuple[Runner, float]: The runner and the training's seconds.
    """
    runner = Runner.from_cfg(cfg)
    start = time.time()
    runner.train()
    return runner, time.time() - start


def evaluate_ann_twin(args: argparse.Namespace, log) -> dict:
    """Test (and first train, if its checkpoint is missing) the ANN twin.

    Args:
        args (argparse.Namespace): The comparison's settings
            (:func:`~mmsnn.analysis.paper_comparisons.complete_settings`).
        log (Callable[[str], None]): Progress messages.

    Returns:
        dict: ``config``, ``checkpoint``, ``trained_here`` (None, or its
        ``epochs`` and ``seconds``), ``metrics``, ``map``, ``ops``
        (:func:`count_ops`), ``test_seconds`` and ``protocol``.
    """
    work = osp.join(args.work_dir, 'ann_twin')
    trained = None
    if not osp.isfile(args.ann_checkpoint):
        log(f'{args.ann_checkpoint} missing: training the ANN twin '
            f'({args.ann_config})')
        cfg = load_cfg(args.ann_config, args, work)
        if args.smoke:
            cfg.train_cfg.max_epochs = 1
            cfg.train_cfg.val_interval = 2
            cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                                interval=1)
        _, seconds = run_training(cfg)
        ckpt = osp.join(work, f'epoch_{cfg.train_cfg.max_epochs}.pth')
        os.makedirs(osp.dirname(osp.abspath(args.ann_checkpoint)),
                    exist_ok=True)
        shutil.copyfile(ckpt, args.ann_checkpoint)
        trained = dict(epochs=cfg.train_cfg.max_epochs, seconds=seconds)
    cfg = load_cfg(args.ann_config, args, work)
    cfg.load_from = args.ann_checkpoint
    runner = Runner.from_cfg(cfg)
    start = time.time()
    metrics = runner.test()
    seconds = time.time() - start
    ops = count_ops(runner.model, cfg, args.energy_images)
    return dict(config=args.ann_config, checkpoint=args.ann_checkpoint,
                trained_here=trained, metrics=dict(metrics),
                map=headline(metrics), ops=ops, test_seconds=seconds,
                protocol=protocol(cfg))


def sg_slug(label: str, seed: int) -> str:
    """The task name of an SG run, e.g. ``sgcmd_t4_seed0``."""
    slug = label.replace('+', '').replace('=', '').replace(
        ', ', '_').replace(' ', '_').lower()
    return f'{slug}_seed{seed}'


def run_sg(args: argparse.Namespace, label: str, seed: int) -> dict:
    """One SG run: train, with the curve of validations, then count ops.

    Args:
        args (argparse.Namespace): The comparison's settings.
        label (str): A key of
            :data:`~mmsnn.analysis.paper_comparisons.VARIANTS`.
        seed (int): The run's seed.

    Returns:
        dict: ``seed``, ``curve`` (:func:`val_curve`), ``best_map``,
        ``final_map``, ``ops`` (:func:`count_ops`) and ``train_seconds``.
    """
    cfg = sg_run_config(args, VARIANTS[label], seed,
                        osp.join(args.work_dir, sg_slug(label, seed)))
    runner, seconds = run_training(cfg)
    curve = val_curve(runner)
    ops = count_ops(runner.model, cfg, args.energy_images)
    return dict(seed=seed, curve=curve,
                best_map=max(c['map'] for c in curve),
                final_map=curve[-1]['map'], ops=ops, train_seconds=seconds)
