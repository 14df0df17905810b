"""What testing and inference need of a checkpoint, outside training.

tools/test.py, tools/infer.py, get_energy.py and the converters load a
checkpoint into a model built from a config: one that does not fit, holds
NaN or was trained as another model type would load without an error and
score near zero.
"""
import warnings
from typing import Optional

from mmdet.registry import MODELS

from .file import check_checkpoint_file, load_checkpoint_to_check
from .finite import check_finite
from .fit import check_load_from_shapes
from .model_type import model_type_mismatch


def check_test_checkpoint(model, model_cfg: dict, filename: str,
                          checkpoint: Optional[dict] = None) -> None:
    """What testing needs of a checkpoint: readable, the same shapes (no
    class mismatch), finite weights; a warning when it was trained as
    another model type (ANN checkpoint under an SNN config, or the
    reverse), which loads without error and scores near zero.

    Args:
        model (nn.Module): The runner's model.
        model_cfg (dict): The config's ``model``.
        filename (str): The checkpoint.
        checkpoint (dict, optional): The checkpoint, if already loaded
            (:func:`~mmsnn.engine.checkpoint.load_checkpoint_to_check`).

    Raises:
        InputError: See :func:`~mmsnn.engine.checkpoint.check_load_from_shapes`
            and :func:`~mmsnn.engine.checkpoint.check_finite`.
    """
    if checkpoint is None:
        checkpoint = load_checkpoint_to_check(filename)
    check_load_from_shapes(model, filename, allow_class_mismatch=False,
                           checkpoint=checkpoint)
    check_finite(checkpoint, filename)
    mismatch = model_type_mismatch(model_cfg, checkpoint)
    if mismatch:
        warnings.warn(
            f'Checkpoint {filename} was trained as another model than the '
            f'config builds: {mismatch}. Its weights load (the same names '
            'and shapes) but the model computes something else, so expect '
            'a metric near zero unless that conversion is what you are '
            'measuring. Use it with the config it was trained with (its '
            "meta['cfg'] holds it).", stacklevel=2)


def check_tool_checkpoint(model_cfg: dict, filename: str, model=None,
                          checkpoint: Optional[dict] = None) -> None:
    """What tools that load a checkpoint outside a runner (tools/infer.py,
    the converters) need of it: the checks of tools/test.py
    (:func:`check_test_checkpoint`) before any work is done with it.

    Args:
        model_cfg (dict): The config's ``model`` (the default scope
            entered).
        filename (str): The checkpoint.
        model (nn.Module, optional): The model the tool built from
            ``model_cfg``; None builds one (on the CPU) to compare with.
        checkpoint (dict, optional): The checkpoint, if already loaded.

    Raises:
        InputError: The file is missing, damaged, not a checkpoint, or
            does not fit the model (see :func:`check_test_checkpoint`).
    """
    check_checkpoint_file(filename, 'Checkpoint')
    if model is None:
        model = MODELS.build(model_cfg)
    check_test_checkpoint(model, model_cfg, filename, checkpoint)
