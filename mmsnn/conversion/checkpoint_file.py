"""Write another project's checkpoint as an mmsnn checkpoint for a config."""
import argparse
import os
import os.path as osp
from typing import Callable, Dict, Optional

import torch
from torch import Tensor, nn

from ..utils.tool_config import CfgOptionsAction, load_tool_config

#: ``convert(path, model)``: reads ``path``, loads it into ``model``
#: strictly and returns the state_dict (e.g.
#: :func:`convert_spikeyolo_checkpoint`).
Converter = Callable[[str, nn.Module], Dict[str, Tensor]]


def convert_checkpoint_file(convert: Converter,
                            src: str,
                            dst: str,
                            config: str,
                            cfg_options: Optional[dict] = None) -> int:
    """Build the model of ``config``, convert ``src`` into it and save
    ``{'state_dict', 'meta'}`` (source and config) to ``dst``.

    Args:
        convert (Callable): The project's converter.
        src (str): Their checkpoint.
        dst (str): The mmsnn checkpoint to write (folders are made).
        config (str): The config whose model must load the result strictly.
        cfg_options (dict, optional): ``--cfg-options``.

    Returns:
        int: How many tensors were written.

    Raises:
        InputError: From the config or the converter (naming the bad key).
    """
    from mmdet.registry import MODELS
    cfg = load_tool_config(config, cfg_options)
    state = convert(src, MODELS.build(cfg.model))
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(dict(state_dict=state,
                    meta=dict(converted_from=osp.abspath(src),
                              config=config)), dst)
    return len(state)


def converter_arg_parser(description: str, src_help: str, config_help: str,
                         default_config: Optional[str] = None
                         ) -> argparse.ArgumentParser:
    """The arguments of a converter tool: ``src``, ``dst``, ``--config``
    (required without ``default_config``) and ``--cfg-options``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help=src_help)
    parser.add_argument('dst', help='mmsnn checkpoint to write (.pth)')
    parser.add_argument('--config', default=default_config,
                        required=default_config is None, help=config_help)
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.bbox_head.num_classes=80')
    return parser
