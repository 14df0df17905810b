"""What the tools' command lines share: the config argument's check,
``--cfg-options`` and the arguments of mmdet's runner tools."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import DictAction

from .input_error import InputError

#: The config files mmengine's ``Config.fromfile`` reads.
CONFIG_EXTENSIONS = ('.py', '.yml', '.yaml', '.json')


def check_config_file(path: str) -> None:
    """Refuse a config path that does not exist or is not a config file.

    Args:
        path (str): The tool's config argument.

    Raises:
        InputError: Names the path and what a config is.
    """
    absolute = f'(absolute: {osp.abspath(path)})'
    if not osp.isfile(path):
        what = ('is a directory, not a config file' if osp.isdir(path) else
                'does not exist')
        raise InputError(
            f'Config {path} {absolute} {what}. The configs are the .py '
            'files under configs/ of the checkout, e.g. '
            'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py.')
    if osp.splitext(path)[1] not in CONFIG_EXTENSIONS:
        raise InputError(
            f'Config {path} {absolute} is not a config file: mmengine '
            f'reads {", ".join(CONFIG_EXTENSIONS)} files, e.g. '
            'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py. Are the arguments '
            'in the order the tool\'s --help gives?')


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` (``KEY=VALUE ...``) for ``--cfg-options``,
    where a malformed pair is an argparse error naming it (usage, exit 2),
    not mmengine's traceback (``ValueError: not enough values to
    unpack``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        for pair in values:
            key, equals, _ = pair.partition('=')
            if not equals or not key:
                parser.error(f'{option_string}: {pair!r} is not KEY=VALUE '
                             '(e.g. train_cfg.max_epochs=2)')
        try:
            super().__call__(parser, namespace, values, option_string)
        except (ValueError, SyntaxError) as e:
            parser.error(f'{option_string}: cannot read {values}: {e}')


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
        action=CfgOptionsAction,
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
