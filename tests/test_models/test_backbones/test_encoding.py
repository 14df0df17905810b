"""SpikingDarknet's encoding slot: direct (image repeated) or sequence
(each step its own input), and the clear error when T differs."""
import pytest
import torch

from mmsnn.models.backbones import SpikingDarknet
from mmsnn.models.time import fold_time, mark_time_folded, repeat_over_time
from mmsnn.utils import ConfigValueError


def _backbone(**kwargs):
    torch.manual_seed(0)
    return SpikingDarknet(widen_factor=1 / 16, stage_blocks=(1, 1, 1, 1, 1),
                          time_steps=3, **kwargs).eval()


def test_sequence_of_identical_frames_equals_direct_encoding():
    direct = _backbone(in_channels=2)
    seq = _backbone(in_channels=2, encoding='sequence')
    seq.load_state_dict(direct.state_dict())
    x = torch.rand(2, 2, 64, 64)
    with torch.no_grad():
        a = direct(x)
        b = seq(mark_time_folded(repeat_over_time(x, 3), 3))
    for u, v in zip(a, b):
        torch.testing.assert_close(u, v)


def test_each_step_sees_its_own_bin():
    seq = _backbone(in_channels=2, encoding='sequence')
    bins = torch.rand(3, 2, 2, 64, 64)  # [T, B, C, H, W]
    changed = bins.clone()
    changed[2] = 0  # only the last bin differs
    with torch.no_grad():
        a = seq.encode(mark_time_folded(fold_time(bins), 3))
        b = seq.encode(mark_time_folded(fold_time(changed), 3))
    # Steps 0 and 1 are unchanged (causal); step 2 differs.
    torch.testing.assert_close(a[:4], b[:4])
    assert not torch.equal(a[4:], b[4:])


def test_t_mismatch_and_untagged_input_are_clear_errors():
    seq = _backbone(in_channels=2, encoding='sequence')
    x = torch.rand(4 * 2, 2, 32, 32)
    with pytest.raises(ValueError, match='T=3 time steps, but its input '
                       'sequence has 4 time bins'):
        seq(mark_time_folded(x, 4))
    with pytest.raises(ValueError, match='not a time-folded sequence'):
        seq(torch.rand(6, 2, 32, 32))
    with pytest.raises(ConfigValueError, match='encoding'):
        _backbone(encoding='rate')
