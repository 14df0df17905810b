"""The globals of mmengine runner checkpoints, allowed inside a block.

torch >= 2.6 loads with ``weights_only=True`` by default: the unpickler
refuses every global outside an allowlist. A checkpoint that mmengine
0.10.7's stock ``CheckpointHook`` writes holds a few such objects beside
the tensors (the message hub's ``HistoryBuffer`` logs, and the numpy arrays
and scalars in them), so mmengine cannot load or resume its own
checkpoints under torch 2.6+. :func:`safe_checkpoint_loading` allows
exactly those globals (:func:`checkpoint_globals`), and nothing else, for
the code inside the block, through torch's scoped
``torch.serialization.safe_globals``; before and after the block, torch
allows what it allowed.

Checkpoints written by :class:`~mmsnn.engine.SafeCheckpointHook` hold no
such object (:mod:`mmsnn.engine.checkpoint.plain_state`) and load
without this. It is for checkpoints of the stock hook, older mmsnn ones
among them (as ``load_from``, ``--resume`` or in ``init_detector``);
mmsnn's tools enter it around all their loading.
"""
import contextlib
import pickle


def _history_buffer_attr(owner, name: str):
    """A stand-in for ``builtins.getattr`` that serves only HistoryBuffer.

    A ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``,
    ``mean``, ``current``) as ``getattr(HistoryBuffer, 'min')``. Allowing the
    real ``getattr`` would let a pickle reach any attribute of any allowed
    object (``__globals__``, ``__builtins__``, then ``eval``), so the name
    ``builtins.getattr`` is mapped to this function instead.
    """
    from mmengine.logging import HistoryBuffer
    methods = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if owner is HistoryBuffer and isinstance(name, str) and name in methods:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({owner!r}, {name!r}): only getattr(HistoryBuffer, '
        '<statistics method>) is allowed in a checkpoint')


def checkpoint_globals() -> list:
    """The non-tensor globals that mmengine/mmdet/mmsnn checkpoints pickle.

    Found by saving checkpoints with mmengine's runner (epoch- and
    iteration-based loops, SGD and Adam, param schedulers, validation with
    ``save_best``; not AMP, which needs a GPU) and listing what
    ``torch.serialization.get_unsafe_globals_in_checkpoint`` reports:
    the message hub's ``HistoryBuffer`` (with its statistics methods, see
    :func:`_history_buffer_attr`) and the numpy arrays and scalars it logs.

    Returns:
        list: Entries for ``torch.serialization.safe_globals``.
    """
    import numpy as np
    from mmengine.logging import HistoryBuffer

    try:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
        module = 'numpy.core.multiarray'
    except ImportError:  # pragma: no cover  (numpy 2 renamed core)
        from numpy._core.multiarray import _reconstruct, scalar
        module = 'numpy._core.multiarray'
    # An unpickled np.dtype is BUILT into its class (numpy.dtypes.*DType).
    dtype_classes = [type(np.dtype(t)) for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
        np.uint32, np.uint64, np.float16, np.float32, np.float64)]
    return [
        HistoryBuffer, (_history_buffer_attr, 'builtins.getattr'),
        np.ndarray, np.dtype, (_reconstruct, f'{module}._reconstruct'),
        (scalar, f'{module}.scalar'), *dtype_classes
    ]


@contextlib.contextmanager
def safe_checkpoint_loading():
    """Let weights-only loading inside the block read mmengine runner
    checkpoints: :func:`checkpoint_globals` are allowed, everything else
    stays refused.

    Every ``torch.load`` with ``weights_only=True`` (torch's default) in the
    block gets the allowlist: mmengine's ``load_from`` and ``resume``,
    ``Pretrained`` initialisation, mmdet's ``init_detector`` and
    ``DetInferencer``. It is torch's own
    ``torch.serialization.safe_globals`` context: the allowlist is
    process-wide while the block runs (all threads) and is gone after it.
    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` keeps its meaning (torch's escape
    hatch turns weights-only loading off); mmsnn's tools check a
    checkpoint with ``weights_only=True`` explicitly before they load it
    (:func:`~mmsnn.engine.checkpoint.load_checkpoint_safely`).

    Example::

        from mmdet.apis import init_detector
        from mmsnn.engine import safe_checkpoint_loading

        with safe_checkpoint_loading():
            model = init_detector(config, 'work_dirs/old_run/epoch_12.pth')
    """
    import torch
    with torch.serialization.safe_globals(checkpoint_globals()):
        yield
