"""Checks of a checkpoint before it is loaded into a model.

What mmengine would do silently with a checkpoint that does not fit (leave
layers random, score mAP 0, resume a finished run and train nothing, load
NaN weights) is turned into one :class:`InputError` paragraph here, before
any work starts. tools/train.py (``load_from``, ``--resume``),
tools/test.py, tools/infer.py and the converters call these.
"""
import ast
import math
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Tuple

import torch

from mmsnn.utils import InputError

# How many offending tensors or keys a message lists.
_MAX_LISTED = 10


def check_checkpoint_file(path: Optional[str], what: str = 'checkpoint'):
    """Raise a clear error when a local checkpoint file does not exist.

    Args:
        path (str, optional): A file path or URL (``http://``,
            ``open-mmlab://``, ... are left to mmengine); None is allowed.
        what (str): How the message calls the file, e.g. ``'load_from'``.

    Raises:
        InputError: ``path`` is local and not a file.
    """
    if path is None or '://' in path:
        return
    if osp.isfile(osp.expanduser(path)):
        _check_checkpoint_format(path, what)
        return
    hint = ('; it is a directory, pass a .pth file inside it'
            if osp.isdir(path) else '')
    raise InputError(
        f'{what} file {path} (absolute: {osp.abspath(path)}) does not '
        f'exist{hint}. tools/train.py writes checkpoints to '
        'work_dirs/<config name>/epoch_<N>.pth (or --work-dir), and the file '
        'last_checkpoint there names the newest one.')


#: How the files ``torch.save`` writes start: a zip archive (torch >= 1.6)
#: or a pickle (the legacy format, protocol 2 and later).
_CHECKPOINT_MAGIC = (b'PK', b'\x80')


def _check_checkpoint_format(path: str, what: str) -> None:
    """Refuse a file that is not a checkpoint at all (a text file, an
    image), which torch would call damaged (``invalid load key``); an
    empty or cut file is left to the loader, which says it is
    truncated."""
    path = osp.expanduser(path)
    with open(path, 'rb') as f:
        head = f.read(64)
    if not head or head.startswith(_CHECKPOINT_MAGIC):
        return
    shown = head.split(b'\n')[0][:40].decode('utf-8', 'replace')
    raise InputError(
        f'{what} file {path} (absolute: {osp.abspath(path)}) is not a '
        'checkpoint: torch writes a zip archive or a pickle, and this file '
        f'starts with {shown!r}. Pass the .pth file that tools/train.py '
        'wrote (work_dirs/<config name>/epoch_<N>.pth, or the one the file '
        'last_checkpoint there names), not another file; are the arguments '
        "in the order the tool's --help gives?")


def check_load_from_shapes(model, filename: str,
                           allow_class_mismatch: bool = True,
                           checkpoint: Optional[dict] = None,
                           strict_keys: bool = False) -> None:
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
        checkpoint (dict, optional): The checkpoint, if already loaded.
        strict_keys (bool): Also refuse keys missing on either side (what
            ``--resume`` needs: it restores the optimizer of every
            parameter). Defaults to False.

    Raises:
        InputError: Names the mismatched keys with both shapes, or says that
            no key of the checkpoint matches the model.
    """
    while hasattr(model, 'module'):  # DDP and/or a test-time-aug wrapper
        model = model.module
    if checkpoint is None:
        checkpoint = load_checkpoint_to_check(filename)
    state = _model_state(checkpoint)
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
            '; '.join(bad[:10]) + more + '. The checkpoint must come from '
            'the same architecture (widen_factor, stage_blocks, SPP, '
            'num_classes, input channels) as the config builds, as an ANN '
            'twin that initialises an SNN does.')
    if strict_keys:
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if missing or unexpected:
            raise InputError(
                f'Checkpoint {filename} does not hold the same tensors as the '
                f'model of the config: {len(missing)} missing (e.g. '
                f'{missing[:5]}), {len(unexpected)} unexpected (e.g. '
                f'{unexpected[:5]}). --resume continues one run of one '
                'config; to initialise another model from it, use '
                '--cfg-options load_from=<file> instead.')


def load_checkpoint_to_check(filename: str) -> dict:
    """Load a checkpoint on the CPU through mmengine's (safe) loaders.

    Args:
        filename (str): A path or URL.

    Returns:
        dict: The checkpoint (a bare state_dict is returned as is).

    Raises:
        InputError: The file is damaged or unsafe (see
            :mod:`mmsnn.engine.safe_checkpoint`).
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise InputError(
            f'Checkpoint {filename} holds a {type(checkpoint).__name__}, not '
            'a dict of tensors (a state_dict, or a dict with "state_dict").')
    return checkpoint


def _model_state(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The model tensors of a checkpoint, without a ``module.`` prefix."""
    state = checkpoint.get('state_dict', checkpoint)
    return {k[7:] if k.startswith('module.') else k: v
            for k, v in state.items() if hasattr(v, 'shape')}


def _iter_tensors(obj, prefix: str) -> Iterator[Tuple[str, torch.Tensor]]:
    """Every tensor in nested dicts/lists/tuples, with its dotted path."""
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _iter_tensors(v, f'{prefix}.{k}' if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _iter_tensors(v, f'{prefix}.{i}' if prefix else str(i))


def nonfinite_tensors(checkpoint: dict,
                      parts: Tuple[str, ...] = ('state_dict', 'optimizer')
                      ) -> List[str]:
    """Describe every floating tensor holding NaN or infinity.

    Args:
        checkpoint (dict): A checkpoint as mmengine saves it (a bare
            state_dict counts as ``state_dict``).
        parts (tuple[str]): Its top-level entries to look at: the model
            (parameters and buffers such as BN running statistics) and the
            optimizer state (momentum, Adam moments). Defaults to both.

    Returns:
        list[str]: e.g. ``'state_dict.backbone.conv1.bn.running_var (inf in
        3 of 16 values)'``; empty when everything is finite.
    """
    if 'state_dict' not in checkpoint:
        checkpoint = {'state_dict': checkpoint}
    found = []
    for part in parts:
        for key, tensor in _iter_tensors(checkpoint.get(part), part):
            if not (tensor.is_floating_point() or tensor.is_complex()):
                continue
            bad = ~torch.isfinite(tensor)
            count = int(bad.sum())
            if count:
                kinds = sorted({'nan' if math.isnan(v) else 'inf'
                                for v in tensor[bad][:1000].tolist()})
                found.append(f'{key} ({"/".join(kinds)} in {count} of '
                             f'{tensor.numel()} values)')
    return found


def check_finite(checkpoint: dict, filename: str,
                 parts: Tuple[str, ...] = ('state_dict', )) -> None:
    """Refuse a checkpoint with NaN or infinite tensors.

    Args:
        checkpoint (dict): The loaded checkpoint.
        filename (str): Its file, for the message.
        parts (tuple[str]): What to check, see :func:`nonfinite_tensors`.

    Raises:
        InputError: Lists the first offending tensors.
    """
    bad = nonfinite_tensors(checkpoint, parts)
    if bad:
        more = (f' (and {len(bad) - _MAX_LISTED} more)'
                if len(bad) > _MAX_LISTED else '')
        raise InputError(
            f'Checkpoint {filename} holds non-finite values in {len(bad)} '
            'tensor(s): ' + '; '.join(bad[:_MAX_LISTED]) + more + '. A model '
            'with them predicts nothing useful (mAP 0) and cannot be trained '
            'on; it comes from a run that diverged (too high a learning '
            'rate, usually). Use an earlier checkpoint of that run: mmsnn '
            'saves only finite ones, and the message that stopped it named '
            'the last good one.')


def _types_in_config_text(text: str) -> Dict[str, Optional[str]]:
    """The ``type`` of ``model``, of its sub-configs and of theirs (e.g.
    ``backbone.neuron_cfg``) in a config's Python text; mmengine stores
    ``cfg.pretty_text`` in every checkpoint's meta. A sub-config without a
    ``type`` maps to None.

    The text is parsed, never executed: it comes from a checkpoint.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, TypeError):
        return {}

    def to_dict(node):
        """A ``dict(...)`` / ``{...}`` node as a dict of nodes and str
        constants, None for anything else."""
        if isinstance(node, ast.Call) and getattr(node.func, 'id',
                                                  None) == 'dict':
            items = [(k.arg, k.value) for k in node.keywords if k.arg]
        elif isinstance(node, ast.Dict):
            items = [(k.value, v) for k, v in zip(node.keys, node.values)
                     if isinstance(k, ast.Constant)]
        else:
            return None
        return {k: (v.value if isinstance(v, ast.Constant) else
                    to_dict(v)) for k, v in items}

    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == 'model'):
            return _types_in_config(to_dict(stmt.value) or {})
    return {}


def _types_in_config(model_cfg: dict) -> Dict[str, Optional[str]]:
    """See :func:`_types_in_config_text`, for a model config."""
    while isinstance(model_cfg.get('module'), dict):  # a test-time-aug wrap
        model_cfg = model_cfg['module']

    def type_of(cfg):
        t = cfg.get('type')
        return t.split('.')[-1] if isinstance(t, str) else None

    found = {'model': type_of(model_cfg)}
    for name, sub in model_cfg.items():
        if isinstance(sub, dict):
            found[name] = type_of(sub)
            found.update((f'{name}.{k}', type_of(v)) for k, v in sub.items()
                         if isinstance(v, dict))
    return found


def model_type_mismatch(model_cfg: dict,
                        checkpoint: dict) -> Optional[str]:
    """Compare the model a checkpoint was trained as (the config in its
    meta) with a config's model: detector, parts and their neurons.

    A part's ``neuron_cfg`` without a ``type`` (or none, where the other
    side states one) is the default neuron (``DEFAULT_NEURON_CFG``), so an
    ANN twin (``neuron_cfg=dict(type='LeakyReLU')``) and its SNN differ.

    Args:
        model_cfg (dict): The config's ``model``.
        checkpoint (dict): The loaded checkpoint.

    Returns:
        str or None: e.g. ``'backbone.neuron_cfg LeakyReLU (config:
        IFNeuron)'``; None when they agree or the checkpoint records no
        config (an mmdet model-zoo file, say).
    """
    from mmsnn.models.defaults import DEFAULT_NEURON_CFG
    text = (checkpoint.get('meta') or {}).get('cfg')
    if not isinstance(text, str):
        return None
    trained, wanted = _types_in_config_text(text), _types_in_config(model_cfg)
    for types in (trained, wanted):
        for part in [k for k in {*trained, *wanted} if '.' not in k]:
            neuron = f'{part}.neuron_cfg'
            if (trained.get(part) == wanted.get(part) is not None
                    and (neuron in trained or neuron in wanted)
                    and types.get(neuron) is None):
                types[neuron] = DEFAULT_NEURON_CFG['type']
    differ = [f'{k} {trained[k]} (config: {wanted[k]})' for k in trained
              if trained[k] and wanted.get(k) and trained[k] != wanted[k]]
    return ', '.join(differ) or None


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (without a file) would continue from.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str or None: The file ``<work_dir>/last_checkpoint`` names; None when
        there is no such pointer (a fresh start, as mmengine does).

    Raises:
        InputError: The pointer is empty or names a file that does not exist.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        named = f.read().strip()
    if named and osp.isfile(named):
        return named
    found = sorted((f for f in os.listdir(work_dir) if f.endswith('.pth')),
                   key=lambda f: osp.getmtime(osp.join(work_dir, f)))
    listing = (f'the work dir holds {", ".join(found[-5:])} (newest last); '
               f'resume one with --resume {osp.join(work_dir, found[-1])}'
               if found else 'the work dir holds no .pth file: start without '
               '--resume, or name a checkpoint with --resume <file>')
    what = (f'names {named}, which does not exist' if named else
            'is empty (a write that was interrupted, or an edit)')
    raise InputError(
        f'--resume: the pointer {pointer} {what}; {listing}. (The pointer is '
        'a text file holding the path of the newest checkpoint; you can also '
        'write a path into it.)')


def check_load_from(model, filename: str) -> None:
    """What ``load_from`` (initialisation, fine-tuning) needs of a
    checkpoint: readable, fitting shapes (a new ``num_classes`` allowed),
    finite weights. Another model type (an ANN twin for an SNN) is the
    documented way to initialise, so it is not refused.

    Args:
        model (nn.Module): The runner's model.
        filename (str): The checkpoint.

    Raises:
        InputError: See :func:`check_load_from_shapes` and
            :func:`check_finite`.
    """
    checkpoint = load_checkpoint_to_check(filename)
    check_load_from_shapes(model, filename, checkpoint=checkpoint)
    check_finite(checkpoint, filename)


def check_test_checkpoint(model, model_cfg: dict, filename: str) -> None:
    """What testing needs of a checkpoint: readable, the same shapes (no
    class mismatch), finite weights; a warning when it was trained as
    another model type (ANN checkpoint under an SNN config, or the
    reverse), which loads without error and scores near zero.

    Args:
        model (nn.Module): The runner's model.
        model_cfg (dict): The config's ``model``.
        filename (str): The checkpoint.

    Raises:
        InputError: See :func:`check_load_from_shapes` and
            :func:`check_finite`.
    """
    import warnings
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


def check_tool_checkpoint(model_cfg: dict, filename: str,
                          model=None) -> None:
    """What tools that load a checkpoint outside a runner (tools/infer.py,
    the converters) need of it: the checks of tools/test.py
    (:func:`check_test_checkpoint`) before any work is done with it.

    Args:
        model_cfg (dict): The config's ``model`` (the default scope
            entered).
        filename (str): The checkpoint.
        model (nn.Module, optional): The model the tool built from
            ``model_cfg``; None builds one (on the CPU) to compare with.

    Raises:
        InputError: The file is missing, damaged, not a checkpoint, or
            does not fit the model (see :func:`check_test_checkpoint`).
    """
    check_checkpoint_file(filename, 'Checkpoint')
    if model is None:
        from mmdet.registry import MODELS
        model = MODELS.build(model_cfg)
    check_test_checkpoint(model, model_cfg, filename)


def check_resume(model, cfg, filename: str) -> None:
    """Everything ``--resume`` needs of a checkpoint, checked up front.

    mmengine's ``Runner.resume`` loads with ``strict=False`` (a checkpoint
    of another width "resumes" into mostly random weights and prints a size
    mismatch per layer) and, given a finished run's checkpoint, trains
    nothing and exits 0.

    Args:
        model (nn.Module): The runner's model.
        cfg (Config): The training config.
        filename (str): The checkpoint to resume.

    Raises:
        InputError: The file is damaged; its tensors differ from the model's
            (shapes or keys); it was trained as another model type; it holds
            non-finite values (model or optimizer state); or its run is
            already at the end of the config's schedule.
    """
    checkpoint = load_checkpoint_to_check(filename)
    mismatch = model_type_mismatch(cfg.model, checkpoint)
    if mismatch:
        raise InputError(
            f'--resume {filename}: the checkpoint was trained as another '
            f'model than the config builds: {mismatch}. --resume continues '
            'one run of one config; to initialise this model from another '
            '(an ANN twin, say), use --cfg-options load_from=<file>.')
    check_load_from_shapes(model, filename, allow_class_mismatch=False,
                           checkpoint=checkpoint, strict_keys=True)
    check_finite(checkpoint, filename, ('state_dict', 'optimizer'))
    _check_not_finished(cfg, checkpoint, filename)


def _check_not_finished(cfg, checkpoint: dict, filename: str) -> None:
    """Refuse to resume a run that the config's schedule has finished."""
    meta = checkpoint.get('meta') or {}
    train_cfg = cfg.get('train_cfg') or {}
    for unit, key in (('epoch', 'max_epochs'), ('iter', 'max_iters')):
        done, total = meta.get(unit), train_cfg.get(key)
        if isinstance(done, int) and isinstance(total, int) and \
                done >= total:
            name = 'epochs' if unit == 'epoch' else 'iterations'
            raise InputError(
                f'--resume {filename}: that run has already finished: it is '
                f'at {unit} {done} and the config trains {total} {name} '
                f'(train_cfg.{key}), so there is nothing left to train. To '
                f'train longer, extend the schedule (--cfg-options '
                f'train_cfg.{key}=<more>, and the param_scheduler\'s end / '
                'T_max with it); to start a new run from its weights, use '
                f'--cfg-options load_from={filename} without --resume; to '
                'evaluate it, use tools/test.py.')
