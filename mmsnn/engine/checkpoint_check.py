"""Checks of a checkpoint before it is loaded into a model."""
import os.path as osp
from typing import Optional

from mmsnn.utils import InputError


def check_checkpoint_file(path: Optional[str], what: str = 'checkpoint'):
    """Raise a clear error when a local checkpoint file does not exist.

    Args:
        path (str, optional): A file path or URL (``http://``,
            ``open-mmlab://``, ... are left to mmengine); None is allowed.
        what (str): How the message calls the file, e.g. ``'load_from'``.

    Raises:
        InputError: ``path`` is local and not a file.
    """
    if path is None or '://' in path or osp.isfile(osp.expanduser(path)):
        return
    hint = ('; it is a directory, pass a .pth file inside it'
            if osp.isdir(path) else '')
    raise InputError(
        f'{what} file {path} (absolute: {osp.abspath(path)}) does not '
        f'exist{hint}. tools/train.py writes checkpoints to '
        'work_dirs/<config name>/epoch_<N>.pth (or --work-dir), and the file '
        'last_checkpoint there names the newest one.')


def check_load_from_shapes(model, filename: str,
                           allow_class_mismatch: bool = True) -> None:
    """Compare a checkpoint's tensor shapes with a model's before loading.

    mmengine's ``load_checkpoint`` (``strict=False``) only logs size
    mismatches and leaves those layers at their initial values, so an ANN
    checkpoint of another width or depth than the SNN would "load" into a
    mostly random model. When every mismatch is in the first (output)
    dimension only, which is what a different ``num_classes`` gives in the
    prediction layers, fine-tuning goes on with mmengine's warning.

    Args:
        model (nn.Module): The model (wrappers' ``.module`` are unwrapped).
        filename (str): The checkpoint (``load_from``).
        allow_class_mismatch (bool): Tolerate output-dimension-only
            mismatches (fine-tuning). False for testing. Defaults to True.

    Raises:
        InputError: Names the mismatched keys with both shapes, or says that
            no key of the checkpoint matches the model.
    """
    from mmengine.runner.checkpoint import _load_checkpoint

    while hasattr(model, 'module'):  # DDP and/or a test-time-aug wrapper
        model = model.module
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    state = {k[7:] if k.startswith('module.') else k: v
             for k, v in state.items() if hasattr(v, 'shape')}
    own = model.state_dict()
    common = [k for k in state if k in own]
    if not common:
        raise InputError(
            f'No parameter of checkpoint {filename} matches the '
            f'{type(model).__name__} of the config (checkpoint keys look '
            f'like {list(state)[:3]}, model keys like {list(own)[:3]}). Is '
            'it a checkpoint of this kind of model?')
    bad, only_outputs = [], True
    for k in common:
        a, b = tuple(state[k].shape), tuple(own[k].shape)
        if a != b:
            bad.append(f'{k}: checkpoint {a}, model {b}')
            only_outputs &= len(a) == len(b) and a[1:] == b[1:]
    if allow_class_mismatch and only_outputs:
        return  # a new num_classes: mmengine warns and skips those layers
    if bad:
        more = f' (and {len(bad) - 10} more)' if len(bad) > 10 else ''
        raise InputError(
            f'Checkpoint {filename} does not fit the model of the config: '
            f'{len(bad)} of {len(common)} shared tensors differ in shape: ' +
            '; '.join(bad[:10]) + more + '. An ANN checkpoint must come from '
            'the same architecture (widen_factor, stage_blocks, SPP, '
            'num_classes, input channels) as the SNN it initialises.')
