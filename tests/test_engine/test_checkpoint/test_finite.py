"""NaN and inf anywhere in a checkpoint's model or optimizer state are
found and named."""
import math

import pytest
import torch

from mmsnn.engine.checkpoint import check_finite, nonfinite_tensors
from mmsnn.utils import InputError


def test_nonfinite_tensors_names_each_with_its_count():
    checkpoint = dict(
        state_dict={'a': torch.tensor([1.0, math.inf, math.inf]),
                    'b': torch.zeros(2), 'steps': torch.tensor([7])},
        optimizer=dict(state={0: dict(exp_avg=torch.tensor([math.nan]))}))
    assert nonfinite_tensors(checkpoint) == [
        'state_dict.a (inf in 2 of 3 values)',
        'optimizer.state.0.exp_avg (nan in 1 of 1 values)']
    assert nonfinite_tensors(checkpoint, ('state_dict', )) == [
        'state_dict.a (inf in 2 of 3 values)']
    # A bare state_dict counts as the model's.
    assert nonfinite_tensors({'w': torch.tensor([math.nan, 1.0])}) == [
        'state_dict.w (nan in 1 of 2 values)']


def test_check_finite_lists_at_most_ten(tmp_path):
    state = {f'w{i}': torch.tensor([math.nan]) for i in range(12)}
    with pytest.raises(InputError) as e:
        check_finite({'state_dict': state}, 'x.pth')
    msg = str(e.value)
    assert msg.startswith('Checkpoint x.pth holds non-finite values in 12 '
                          'tensor(s): state_dict.w0 (nan in 1 of 1 values)')
    assert '(and 2 more)' in msg and 'state_dict.w10' not in msg
    check_finite({'state_dict': {'w': torch.ones(2)}}, 'y.pth')
