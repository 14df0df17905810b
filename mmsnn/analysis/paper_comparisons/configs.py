"""The configs of the comparisons' runs, and how their results are read."""
import argparse
import os.path as osp
import time

from mmengine.config import Config

from ...models.defaults import DEFAULT_NEURON_CFG
from ...utils.config_tree import iter_sub_configs
from ...utils.input_error import InputError
from .presets import THRESHOLD_DECAY, from_here_or_repo

#: The evaluators' mAP@0.5 keys (VOCMetric's, CocoMetric's).
MAP_KEYS = ('pascal_voc/mAP', 'coco/bbox_mAP_50')


def set_data_root(cfg: Config, root: str) -> None:
    """Point every data set of the train / val / test data loaders of
    ``cfg`` at ``root``, wherever the config nests them.

    Args:
        cfg (Config): The config, changed in place.
        root (str): The new ``data_root``.
    """
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for node in iter_sub_configs(cfg.get(key) or {}):
            if 'data_root' in node:
                node['data_root'] = root


class PlainConfig(Config):
    """A Config whose text is ``key = repr(value)`` lines.

    mmengine's runner pretty-prints its config with yapf three times at
    start (log, dump, visualizer) and once per checkpoint, about 2 s each
    on a 2-core CPU: more than a smoke run's training. The text stays a
    valid Python config.
    """

    @property
    def pretty_text(self) -> str:
        return '\n'.join(f'{k} = {v!r}' for k, v in self.to_dict().items())


def load_cfg(path: str, args: argparse.Namespace, work_dir: str) -> Config:
    """A run's config: ``path`` (from the working folder or the
    repository) with the comparison's ``cfg_options`` and ``data_root``,
    ``work_dir`` and an experiment name of its own.

    Args:
        path (str): The config file.
        args (argparse.Namespace): The comparison's settings
            (:func:`~mmsnn.analysis.paper_comparisons.complete_settings`).
        work_dir (str): The run's work dir.

    Returns:
        Config: A :class:`PlainConfig`.
    """
    cfg = Config.fromfile(from_here_or_repo(path, args.repo))
    cfg = PlainConfig(cfg.to_dict(), filename=cfg.filename)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.data_root:
        set_data_root(cfg, args.data_root)
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{osp.basename(work_dir)}_{time.time_ns()}'
    return cfg


def sg_run_config(args: argparse.Namespace, variant: dict, seed: int,
                  work_dir: str) -> Config:
    """The SNN config of one SG run: the variant's T and decoding (and
    learnable threshold, its weight decay :data:`THRESHOLD_DECAY`), from
    the ANN twin, validated after every epoch from the first.

    Args:
        args (argparse.Namespace): The comparison's settings.
        variant (dict): A value of
            :data:`~mmsnn.analysis.paper_comparisons.VARIANTS`.
        seed (int): The run's seed.
        work_dir (str): The run's work dir.

    Returns:
        Config: The run's config.

    Raises:
        InputError: The learnable threshold's run on a config without an
            optimizer weight decay.
    """
    cfg = load_cfg(args.snn_config, args, work_dir)
    cfg.model.time_steps = variant['time_steps']
    cfg.model.bbox_head.decode_mode = variant['decode_mode']
    if variant.get('learnable_threshold'):
        for part in ('backbone', 'neck', 'bbox_head'):
            cfg.model[part].neuron_cfg = dict(
                cfg.model[part].get('neuron_cfg', DEFAULT_NEURON_CFG),
                learnable_threshold=True)
        base_decay = cfg.optim_wrapper.optimizer.get('weight_decay', 0.)
        keys = dict(cfg.optim_wrapper.get('paramwise_cfg', {}).get(
            'custom_keys', {}))
        keys['v_threshold'] = (dict(decay_mult=THRESHOLD_DECAY / base_decay)
                               if base_decay else dict(decay_mult=0.))
        cfg.optim_wrapper.paramwise_cfg = dict(
            cfg.optim_wrapper.get('paramwise_cfg', {}), custom_keys=keys)
        if not base_decay:
            raise InputError(f'{args.snn_config}: the learnable-threshold run '
                             'needs an optimizer weight_decay to scale')
    cfg.load_from = args.ann_checkpoint
    cfg.randomness = dict(seed=seed, deterministic=False)
    if args.epochs:
        cfg.train_cfg.max_epochs = args.epochs
    # the Fig. 2 curve: a validation after every epoch
    cfg.train_cfg.update(val_begin=1, val_interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=cfg.train_cfg.max_epochs,
        max_keep_ckpts=1)
    return cfg


def headline(metrics: dict) -> float:
    """The detection mAP@0.5 of an evaluator's metrics (VOCMetric's
    ``pascal_voc/mAP`` or CocoMetric's ``coco/bbox_mAP_50``).

    Args:
        metrics (dict): The evaluator's metrics.

    Returns:
        float: The mAP.

    Raises:
        InputError: Neither key is there.
    """
    for key in MAP_KEYS:
        if key in metrics:
            return float(metrics[key])
    raise InputError(f'no mAP@0.5 among the metrics {sorted(metrics)}: the '
                     'evaluator must be VOCMetric or CocoMetric')


def protocol(cfg: Config) -> str:
    """The test evaluator's protocol in words, for the write-up."""
    ev = cfg.test_evaluator
    ev = ev[0] if isinstance(ev, (list, tuple)) else ev
    if ev.get('type') == 'VOCMetric':
        return (f"VOC mAP@0.5 ({ev.get('eval_mode', '11points')}, "
                'VOCMetric)')
    return f"{ev.get('type')} AP@0.5"
