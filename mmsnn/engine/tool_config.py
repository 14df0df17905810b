"""How the tools read a config: one place for the shared steps."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.registry import init_default_scope

from ..utils.tool_args import check_config_file
from .config_check import check_config
from .time_steps_option import apply_time_steps


def _read_config(path: str, cfg_options: Optional[dict],
                 sections: Sequence[str]) -> Config:
    """``path`` (checked) with ``--cfg-options`` merged over it, a
    top-level ``time_steps`` applied (:func:`apply_time_steps`), the types
    of ``sections`` and the model's spiking values checked
    (:func:`~mmsnn.engine.config_check.check_config`)."""
    check_config_file(path)
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
        if 'time_steps' in cfg_options:
            apply_time_steps(cfg, cfg_options['time_steps'])
    check_config(cfg, sections)
    return cfg


def load_tool_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read ``path``, merge ``--cfg-options`` over it (a top-level
    ``time_steps`` reaching every module that holds T and the data's time
    bins, see :func:`~mmsnn.engine.time_steps_option.apply_time_steps`)
    and enter its default scope (``'mmdet'`` unless the config says
    otherwise), as every tool does before building anything.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` of the tool.

    Returns:
        Config: The merged config.

    Raises:
        InputError: ``path`` is not a config file
            (:func:`~mmsnn.utils.check_config_file`), ``time_steps`` is
            bad, or the model config names an unregistered type or holds a
            bad spiking value (named by its key, see
            :func:`~mmsnn.engine.config_check.check_config`).
    """
    cfg = _read_config(path, cfg_options, ('model', ))
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return cfg


#: The parts of a config a runner that only tests builds.
TEST_SECTIONS = ('model', 'tta_model', 'tta_pipeline', 'test_dataloader',
                 'test_evaluator', 'test_cfg', 'default_hooks',
                 'custom_hooks', 'visualizer', 'model_wrapper_cfg')


def load_runner_config(path: str,
                       cfg_options: Optional[dict] = None,
                       work_dir: Optional[str] = None,
                       launcher: str = 'none',
                       sections: Sequence[str] = ()) -> Config:
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
        sections (Sequence[str]): The parts of the config whose types to
            check (:data:`TEST_SECTIONS` for testing); empty for all
            (model, data, hooks, optimizer, loops, ...). Defaults to ().

    Returns:
        Config: The config, default scope not yet entered.

    Raises:
        InputError: See :func:`load_tool_config`.
    """
    cfg = _read_config(path, cfg_options, sections)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg
