"""How the user tools read a config: one place for the shared steps."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope


def _read_config(path: str, cfg_options: Optional[dict]) -> Config:
    """``path`` with ``--cfg-options`` merged over it, a top-level
    ``time_steps`` written into every module that holds T."""
    # mmsnn.models imports this package: import it when called
    from mmsnn.models.layers import apply_time_steps_option
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
        apply_time_steps_option(cfg, cfg_options)
    return cfg


def load_tool_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read ``path``, merge ``--cfg-options`` over it (a top-level
    ``time_steps`` reaching every module that holds T) and enter its default
    scope (``'mmdet'`` unless the config says otherwise), as every tool does
    before building anything.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` of the tool.

    Returns:
        Config: The merged config.
    """
    cfg = _read_config(path, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return cfg


def load_runner_config(path: str,
                       cfg_options: Optional[dict] = None,
                       work_dir: Optional[str] = None,
                       launcher: str = 'none') -> Config:
    """The config ``tools/train.py`` and ``tools/test.py`` build their
    runner from, as mmdet's tools do: ``--cfg-options`` merged (a top-level
    ``time_steps`` reaching every module that holds T), the launcher set,
    and ``work_dir`` from the command line, else the config, else
    ``./work_dirs/<config name>``.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` of the tool.
        work_dir (str, optional): ``--work-dir`` of the tool.
        launcher (str): ``--launcher`` of the tool. Defaults to ``'none'``.

    Returns:
        Config: The config, default scope not yet entered.
    """
    cfg = _read_config(path, cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """The arguments ``tools/train.py`` and ``tools/test.py`` share with
    mmdet's: ``--cfg-options``, ``--launcher`` and the ``--local-rank``
    that ``torch.distributed.launch`` passes (torch >= 2.0).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser: argparse.ArgumentParser,
                      argv: Optional[list] = None) -> argparse.Namespace:
    """Parse ``argv`` and export ``LOCAL_RANK`` from ``--local-rank`` where
    the launcher did not set it, as mmdet's tools do.

    Args:
        parser (argparse.ArgumentParser): A parser given
            :func:`add_runner_args`.
        argv (list, optional): The arguments; None for ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args
