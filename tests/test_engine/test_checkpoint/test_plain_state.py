"""to_plain / from_plain: mmengine's HistoryBuffer and numpy values become
tensors and Python values that torch's weights-only loader reads without an
allowlist, and come back exactly."""
import io
from collections import OrderedDict, defaultdict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from mmsnn.engine.checkpoint import from_plain, to_plain


def weights_only_round_trip(obj):
    """``torch.save`` then stock ``torch.load(weights_only=True)``."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_message_hub_state_round_trips_exactly():
    loss = HistoryBuffer(max_length=5)
    for value in (0.1, 1e-300, 3.0):
        loss.update(value)
    count = HistoryBuffer([1, 2], [1, 4])  # ints stay ints
    state = dict(
        log_scalars=OrderedDict(loss=loss, count=count, empty=HistoryBuffer()),
        runtime_info=OrderedDict(
            eta=np.float64(1 / 3), step=np.int64(7), flag=np.bool_(True),
            table=np.arange(6, dtype=np.uint32).reshape(2, 3),
            nested=[(np.float32(0.5), 'text')], names=np.array(['a', 'b'])),
        resumed_keys=OrderedDict(loss=True, eta=True))
    plain = to_plain(state)
    assert isinstance(plain['log_scalars']['loss'], dict)
    assert plain['runtime_info']['eta'] == 1 / 3
    assert type(plain['runtime_info']['eta']) is float
    del plain['runtime_info']['names']  # str arrays stay numpy: see below
    back = from_plain(weights_only_round_trip(plain))

    assert type(back['log_scalars']) is OrderedDict
    for name, buffer in state['log_scalars'].items():
        restored = back['log_scalars'][name]
        assert type(restored) is HistoryBuffer
        assert restored.max_length == buffer.max_length
        for a, b in zip(restored.data, buffer.data):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    assert back['log_scalars']['loss'].mean() == loss.mean()
    info = back['runtime_info']
    assert (info['eta'], info['step'], info['flag']) == (1 / 3, 7, True)
    assert info['table'].dtype == np.uint32
    assert np.array_equal(info['table'], state['runtime_info']['table'])
    assert info['nested'] == [(0.5, 'text')]
    assert back['resumed_keys'] == state['resumed_keys']


def test_what_torch_cannot_hold_is_left_and_stock_state_passes():
    names = np.array(['a', 'b'])
    assert to_plain({'names': names})['names'] is names
    buffer = HistoryBuffer([1.0], [1])
    # A stock checkpoint's state (already HistoryBuffer) comes back as is.
    assert from_plain({'loss': buffer})['loss'] is buffer
    assert to_plain(None) is None and from_plain(None) is None
    # Containers of other types are left whole (their constructors differ).
    counts = defaultdict(int, a=np.int64(1))
    assert to_plain({'counts': counts})['counts'] is counts
