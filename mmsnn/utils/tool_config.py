"""How the user tools read a config: one place for the shared steps."""
import argparse
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from .config_tree import iter_sub_configs
from .data_check import iter_dataset_cfgs
from .input_error import ConfigValueError, InputError

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


def iter_transform_cfgs(cfg: Config, base: type,
                        loaders: Sequence[str] = ('train_dataloader',
                                                  'val_dataloader',
                                                  'test_dataloader'),
                        top_level: bool = True) -> Iterator[dict]:
    """The configs of every transform of type ``base`` (a subclass
    included) in the data pipelines of a config.

    Transforms are recognised by their registered class, not their name,
    also inside wrappers (``TestTimeAug``, ``RandomChoice``) and data set
    wrappers.

    Args:
        cfg (Config): The config.
        base (type): The transform class.
        loaders (Sequence[str]): Dataloaders whose data sets to walk.
        top_level (bool): Also walk top-level ``*_pipeline`` lists, which
            tools copy from (``tta_pipeline``). Defaults to True.

    Yields:
        dict: A transform's config, to read or change in place.
    """
    from mmdet.registry import TRANSFORMS

    def walk(pipeline):
        for node in iter_sub_configs(pipeline):
            kind = node.get('type')
            if isinstance(kind, str):
                kind = TRANSFORMS.get(kind)
            if isinstance(kind, type) and issubclass(kind, base):
                yield node

    for key in loaders:
        dataset = (cfg.get(key) or {}).get('dataset')
        for _, leaf in iter_dataset_cfgs(dataset or {}, key):
            yield from walk(leaf.get('pipeline', []))
    if top_level:
        for key, value in cfg.items():
            if key.endswith('_pipeline'):
                yield from walk(value)


def set_time_bins(cfg: Config, num_bins: int) -> List[int]:
    """Give every event representation cut into the model's T bins
    (:class:`~mmsnn.datasets.transforms.time_bins.TimeBinsTransform`) in
    the train / val / test pipelines ``num_bins`` bins.

    Args:
        cfg (Config): The config, changed in place.
        num_bins (int): The new number of bins.

    Returns:
        list[int]: The numbers of bins the transforms had.
    """
    from mmsnn.datasets.transforms.time_bins import TimeBinsTransform
    old = []
    for transform in iter_transform_cfgs(cfg, TimeBinsTransform):
        old.append(transform.get('num_bins'))
        transform['num_bins'] = num_bins
    return old


def apply_time_steps(cfg: Config, time_steps: int) -> None:
    """What ``--cfg-options time_steps=N`` means: the model's T and the
    number of time bins of the data, which are one variable.

    mmengine resolved the config's top-level ``time_steps`` into the
    fields that used it when it read the file, so merging the option alone
    changes nothing. This writes it into every ``time_steps`` field of the
    model and the ``num_bins`` of the pipelines' event representations. An
    ANN twin that sees the bins stacked as input channels
    (``data_preprocessor.fold='channels'``) keeps its T and gets the
    backbone's ``in_channels`` scaled instead.

    Args:
        cfg (Config): The merged config, changed in place.
        time_steps (int): N.

    Raises:
        ConfigValueError: ``time_steps`` is not a positive integer, the
            model has no ``time_steps`` field (an ANN), or an ANN twin's
            input channels cannot follow the bins.
    """
    # mmsnn.models imports this package: import it when called
    from mmsnn.models.layers import apply_time_steps_option
    from mmsnn.models.layers.time_folding import check_time_steps
    check_time_steps(time_steps, 'time_steps (config option)')
    old_bins = set(set_time_bins(cfg, time_steps))
    preprocessor = cfg.model.get('data_preprocessor') or {}
    if old_bins and preprocessor.get('fold') == 'channels':
        _scale_input_channels(cfg.model, old_bins, time_steps)
    else:
        apply_time_steps_option(cfg, dict(time_steps=time_steps))


def _scale_input_channels(model_cfg: dict, old_bins: set,
                          num_bins: int) -> None:
    """``backbone.in_channels`` of a model that stacks ``old_bins`` time
    bins as channels, for ``num_bins`` bins."""
    backbone = model_cfg.get('backbone') or {}
    channels = backbone.get('in_channels')
    old = next(iter(old_bins))
    if len(old_bins) != 1 or not isinstance(channels, int) or \
            not isinstance(old, int) or channels % old:
        raise ConfigValueError(
            f'--cfg-options time_steps={num_bins}: the model stacks the time '
            f'bins as input channels (data_preprocessor.fold=\'channels\'), '
            f'but its backbone.in_channels={channels!r} is not a multiple of '
            f'the pipelines\' num_bins {sorted(old_bins)}; set '
            'model.backbone.in_channels too.')
    backbone['in_channels'] = channels // old * num_bins


def _read_config(path: str, cfg_options: Optional[dict]) -> Config:
    """``path`` (checked) with ``--cfg-options`` merged over it, a
    top-level ``time_steps`` applied (:func:`apply_time_steps`)."""
    check_config_file(path)
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
        if 'time_steps' in cfg_options:
            apply_time_steps(cfg, cfg_options['time_steps'])
    return cfg


def load_tool_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read ``path``, merge ``--cfg-options`` over it (a top-level
    ``time_steps`` reaching every module that holds T and the data's time
    bins, see :func:`apply_time_steps`) and enter its default
    scope (``'mmdet'`` unless the config says otherwise), as every tool does
    before building anything.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` of the tool.

    Returns:
        Config: The merged config.

    Raises:
        InputError: ``path`` is not a config file
            (:func:`check_config_file`) or ``time_steps`` is bad.
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

    Raises:
        InputError: See :func:`load_tool_config`.
    """
    cfg = _read_config(path, cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


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
