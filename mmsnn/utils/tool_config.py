"""How the user tools read a config: one place for the shared steps."""
from typing import Optional

from mmengine.config import Config
from mmengine.registry import init_default_scope


def load_tool_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read ``path``, merge ``--cfg-options`` over it and enter its default
    scope (``'mmdet'`` unless the config says otherwise), as every tool does
    before building anything.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` of the tool.

    Returns:
        Config: The merged config.
    """
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return cfg
