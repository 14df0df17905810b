"""``--cfg-options time_steps=N``: the model's T and the data's time bins,
which are one variable."""
from typing import List

from mmengine.config import Config

from ..datasets.transforms.time_bins import TimeBinsTransform
from ..models.time.folding import check_time_steps
from ..models.time.config import apply_time_steps_option
from ..utils.config_tree import iter_transform_cfgs
from ..utils.input_error import ConfigValueError


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
