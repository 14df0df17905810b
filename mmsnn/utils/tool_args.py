"""What the tools' command lines share: the config argument's check,
``--cfg-options``, the arguments of mmdet's runner tools and the types of
numeric options (checked by argparse, before any work)."""
import argparse
import ast
import math
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


def parse_dict_value(text: str) -> Optional[dict]:
    """A ``--cfg-options`` value written as ``dict(k=v, ...)``, as a dict
    that replaces the whole config value (``_delete_=True``), or None for
    any other value.

    The keyword values are Python literals or nested ``dict(...)``; what
    is not (a name, a call) is an error naming the value.

    Args:
        text (str): The value, after ``KEY=``.

    Raises:
        ValueError: ``text`` looks like ``dict(...)`` but is not one of
            literals.
    """
    text = text.strip().strip('\'"')
    if not (text.startswith('dict(') and text.endswith(')')):
        return None

    def convert(node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == 'dict' and not node.args and \
                all(k.arg for k in node.keywords):
            return {k.arg: convert(k.value) for k in node.keywords}
        return ast.literal_eval(node)

    try:
        value = convert(ast.parse(text, mode='eval').body)
    except (SyntaxError, ValueError):
        raise ValueError(
            f'{text} is not dict(KEY=VALUE, ...) with Python literals as '
            "values (numbers, 'quoted strings', lists, True, False, None, "
            'dict(...))') from None
    value['_delete_'] = True
    return value


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` (``KEY=VALUE ...``) for ``--cfg-options``,
    where a malformed pair is an argparse error naming it (usage, exit 2),
    not mmengine's traceback (``ValueError: not enough values to
    unpack``), and a value written ``dict(k=v, ...)`` is a dict that
    replaces the config's value (``optim_wrapper.clip_grad=dict(
    max_norm=10)`` where the config has ``clip_grad=None``); mmengine's
    action keeps it a string, which the config's user then fails on.
    Given twice, the options add up (later keys win)."""

    def __call__(self, parser, namespace, values, option_string=None):
        dicts = {}
        for pair in values:
            key, equals, value = pair.partition('=')
            if not equals or not key:
                parser.error(f'{option_string}: {pair!r} is not KEY=VALUE '
                             '(e.g. train_cfg.max_epochs=2)')
            try:
                parsed = parse_dict_value(value)
            except ValueError as e:
                parser.error(f'{option_string}: {key}: {e}')
            if parsed is not None:
                dicts[key] = parsed
        try:
            super().__call__(parser, namespace,
                             [p for p in values
                              if p.partition('=')[0] not in dicts],
                             option_string)
        except (ValueError, SyntaxError) as e:
            parser.error(f'{option_string}: cannot read {values}: {e}')
        getattr(namespace, self.dest).update(dicts)


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


def number_type(cast: type, what: str, low: Optional[float] = None,
                above: bool = False, high: Optional[float] = None):
    """An argparse ``type``: ``cast`` of the text, refused (a usage error
    naming the option and the value, before the tool does any work)
    unless finite and within the bounds.

    Args:
        cast (type): ``int`` or ``float``.
        what (str): What the value must be, for the message (``'an integer
            >= 1'``).
        low (float, optional): Lower bound (inclusive unless ``above``).
        above (bool): The value must be above ``low``. Defaults to False.
        high (float, optional): Upper bound, inclusive.

    Returns:
        Callable[[str], int | float]: The type.
    """

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or (
                low is not None and (value <= low if above else value < low)
        ) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f'must be {what}, got {text!r}')
        return value

    parse.__name__ = what
    return parse


#: argparse types for the tools' numeric options.
positive_int = number_type(int, 'an integer >= 1', low=1)
non_negative_int = number_type(int, 'an integer >= 0', low=0)
positive_float = number_type(float, 'a number > 0', low=0, above=True)
non_negative_float = number_type(float, 'a number >= 0', low=0)
probability = number_type(float, 'a number from 0 to 1', low=0, high=1)
percentile = number_type(float, 'a percentile, > 0 and <= 100', low=0,
                         above=True, high=100)
