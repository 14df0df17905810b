"""What the paper's comparisons run: the data set presets, the SG runs'
variants and how a comparison's settings are completed from them."""
import argparse
import os.path as osp
from typing import Callable

from mmengine.config import Config

PRESETS = {
    'mini_voc': dict(
        name='mini-VOC (synthetic, bundled; not PASCAL VOC)',
        ann_config='configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py',
        snn_config='configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py',
        # the main job's SNN trains 5; 2 keeps the 12 SG runs and the
        # conversion under 2 h on 2 cores (--jobs 2)
        epochs=2),
    'voc': dict(
        name='PASCAL VOC07+12 -> VOC07 test',
        ann_config='configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py',
        snn_config='configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py',
        epochs=None),  # the config's schedule
}

#: The SG runs: label -> how they differ from the SNN config. The learnable
#: threshold's weight decay is set in
#: :func:`~mmsnn.analysis.paper_comparisons.configs.sg_run_config`.
VARIANTS = {
    'SG+CMD T=4': dict(time_steps=4, decode_mode='mean'),
    'SG+CMD T=6': dict(time_steps=6, decode_mode='mean'),
    'SG+rate T=6': dict(time_steps=6, decode_mode='rate'),
    'SG+CMD T=6, learnable threshold': dict(
        time_steps=6, decode_mode='mean', learnable_threshold=True),
}
#: The runs of the paper's Fig. 2.
FIG2 = ('SG+CMD T=4', 'SG+CMD T=6', 'SG+rate T=6')
THRESHOLD_DECAY = 5e-3  # the paper's weight decay of its "upper bound"
DEFAULT_SWEEP = (8, 16, 32, 64, 128, 256, 512, 1024)


def from_here_or_repo(path: str, repo: str) -> str:
    """``path`` if it exists from the working folder, else the same path in
    the repository (the presets' configs and checkpoints are
    repository-relative).

    Args:
        path (str): A file.
        repo (str): The repository's root.

    Returns:
        str: The path to read.
    """
    return path if osp.exists(path) else osp.join(repo, path)


def config_twin(snn_config: str, repo: str,
                error: Callable[[str], None]) -> str:
    """The ANN twin an SNN config starts from (its ``load_from``: for
    mini-VOC the published twin), found from the working folder or the
    repository.

    Args:
        snn_config (str): The SNN config.
        repo (str): The repository's root.
        error (Callable[[str], None]): Called with a message (and expected
            to raise) when the config names no ``load_from`` or no file.

    Returns:
        str: The checkpoint's path.
    """
    load_from = Config.fromfile(from_here_or_repo(snn_config, repo)).get(
        'load_from')
    if not load_from:
        error(f'{snn_config} has no load_from: give the ANN twin with '
              '--ann-checkpoint')
    path = from_here_or_repo(load_from, repo)
    if not osp.isfile(path):
        error(f'{load_from} (load_from of {snn_config}) not found: give the '
              'ANN twin with --ann-checkpoint (trained first if missing)')
    return path


def complete_settings(args: argparse.Namespace, repo: str,
                      error: Callable[[str], None]) -> argparse.Namespace:
    """Fill in what a comparison's command line left to its preset.

    Args:
        args (argparse.Namespace): The parsed arguments (``dataset``,
            ``ann_config``, ``snn_config``, ``epochs``, ``ann_checkpoint``,
            ``seeds``, ``threshold_seeds``, ``conversion_steps``,
            ``calib_images``, ``energy_images``, ``jobs``, ``smoke``),
            completed in place: the preset's configs and schedule, the SNN
            config's ANN twin, seeds 0 1 2, :data:`DEFAULT_SWEEP`, the
            data set's name (``dataset_name``) and ``repo``; ``smoke``
            shrinks it all.
        repo (str): The repository's root, where the presets' paths are.
        error (Callable[[str], None]): Called with a message (and expected
            to raise) for a bad setting.

    Returns:
        argparse.Namespace: ``args``.
    """
    preset = PRESETS[args.dataset]
    args.repo = repo
    for key in ('ann_config', 'snn_config', 'epochs'):
        if getattr(args, key) is None:
            setattr(args, key, preset[key])
    if args.ann_checkpoint is None:
        args.ann_checkpoint = config_twin(args.snn_config, repo, error)
    args.dataset_name = preset['name'] if not args.smoke else (
        f'{preset["name"]}, smoke run')
    if args.smoke:
        args.seeds = args.seeds or [0]
        args.epochs = 1
        args.conversion_steps = args.conversion_steps or [2, 4]
        args.calib_images = min(args.calib_images, 2)
        args.energy_images = min(args.energy_images, 1)
    args.seeds = args.seeds or [0, 1, 2]
    args.threshold_seeds = args.threshold_seeds or args.seeds
    if args.jobs < 1:
        error(f'--jobs must be at least 1, got {args.jobs}')
    args.conversion_steps = sorted(set(args.conversion_steps or
                                       DEFAULT_SWEEP))
    return args
