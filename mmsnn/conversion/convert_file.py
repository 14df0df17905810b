"""What the checkpoint converter tools share: their arguments, and building
the config's model, converting into it and writing the result."""
import argparse
import os
import os.path as osp
from typing import Callable, Dict, Optional

import torch
import torch.nn as nn
from torch import Tensor

from ..engine.tool_config import load_tool_config
from ..utils import CfgOptionsAction, report_input_errors

#: ``convert(src, model)``: read ``src``, load it into ``model`` strictly,
#: return the converted state_dict.
Converter = Callable[[str, nn.Module], Dict[str, Tensor]]


def converter_arg_parser(description: str, src_help: str,
                         config_help: str,
                         config_default: Optional[str] = None
                         ) -> argparse.ArgumentParser:
    """``src dst --config CONFIG [--cfg-options ...]``.

    Args:
        description (str): The tool's description.
        src_help (str): What ``src`` is.
        config_help (str): What ``--config`` is.
        config_default (str, optional): The default config; None makes
            ``--config`` required.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help=src_help)
    parser.add_argument('dst', help='mmsnn checkpoint to write (.pth)')
    parser.add_argument('--config', default=config_default,
                        required=config_default is None, help=config_help)
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override config settings, e.g. model.bbox_head.num_classes=80')
    return parser


def convert_checkpoint_file(convert: Converter,
                            args: argparse.Namespace) -> Dict[str, Tensor]:
    """Build ``args.config``'s model, convert ``args.src`` into it and save
    ``{'state_dict', 'meta'}`` to ``args.dst``; input errors end the tool
    with one paragraph (:func:`report_input_errors`).

    Returns:
        dict[str, Tensor]: The converted state_dict.
    """
    from mmdet.registry import MODELS
    with report_input_errors():
        cfg = load_tool_config(args.config, args.cfg_options)
        model = MODELS.build(cfg.model)
        state = convert(args.src, model)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state,
                    meta=dict(converted_from=osp.abspath(args.src),
                              config=args.config)), args.dst)
    return state
