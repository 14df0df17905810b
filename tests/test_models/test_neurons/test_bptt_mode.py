"""The training mode: checked config, and the steps SLTT-K draws (from the
seeded global CPU generator, only where they are needed)."""
import pytest
import torch

from mmsnn.models.neurons.bptt_mode import (BPTTMode, scatter_steps,
                                           select_steps)
from mmsnn.utils.input_error import ConfigValueError


@pytest.mark.parametrize('cfg, match', [
    (dict(mode='tbptt'), r"model\.bptt\.mode must be one of \('full', "
     r"'sltt'\).*got 'tbptt'"),
    (dict(mode='sltt', k=5), r'model\.bptt\.k must be in 1\.\.T=1\.\.4.*'
     r'got 5'),
    (dict(mode='sltt', k=0), r'model\.bptt\.k must be a positive integer'),
    (dict(mode='sltt', k=1.5), r'k must be a positive integer.*got 1\.5'),
    (dict(mode='sltt', k=True), r'k must be a positive integer.*got True'),
    (dict(mode='full', k=2), r"k=2 selects steps of SLTT: it needs "
     r"mode='sltt', got mode='full'"),
    (dict(mode='sltt', K=2), r"unknown key\(s\) \['K'\]"),
    ('sltt', r"model\.bptt must be a dict such as dict\(mode='sltt', k=2\)"),
])
def test_bad_settings_are_named(cfg, match):
    with pytest.raises(ConfigValueError, match=match):
        BPTTMode.from_config(cfg, time_steps=4)


@pytest.mark.parametrize('cfg, expected', [
    (None, dict(mode='full', k=None)),
    (dict(mode='sltt'), dict(mode='sltt', k=None)),
    (dict(mode='sltt', k=4), dict(mode='sltt', k=4)),
    (dict(mode='sltt', k=None), dict(mode='sltt', k=None)),
])
def test_good_settings(cfg, expected):
    mode = BPTTMode.from_config(cfg, time_steps=4)
    assert mode.to_dict() == expected
    assert mode.sltt == (expected['mode'] == 'sltt')


def draws(seed, n=20, k=2, time_steps=6):
    torch.manual_seed(seed)
    mode = BPTTMode('sltt', k)
    out = []
    for _ in range(n):
        with mode.drawing(time_steps, batch_size=3) as draw:
            out.append(draw.steps)
    return out


def test_draws_follow_the_seed_and_vary():
    first = draws(0)
    assert first == draws(0)
    assert first != draws(1)
    assert len(set(first)) > 5  # a new draw every training step
    for steps in first:
        assert len(steps) == 2 and list(steps) == sorted(set(steps))
        assert all(0 <= t < 6 for t in steps)


@pytest.mark.parametrize('k', [None, 4])
def test_no_draw_and_no_random_number_without_a_subset(k):
    mode = BPTTMode('sltt', k)
    state = torch.get_rng_state()
    with mode.drawing(4, batch_size=2) as draw:
        assert draw is None and mode.grad_steps(8) is None
    assert torch.equal(torch.get_rng_state(), state)


def test_no_draw_without_autograd():
    mode = BPTTMode('sltt', 1)
    state = torch.get_rng_state()
    with torch.no_grad(), mode.drawing(4, batch_size=2) as draw:
        assert draw is None
    assert torch.equal(torch.get_rng_state(), state)


def test_the_draw_applies_to_time_folded_rows_inside_the_block():
    mode = BPTTMode('sltt', 1)
    with mode.drawing(4, batch_size=2) as draw:
        assert mode.grad_steps(8) is draw
        assert mode.grad_steps(2) is None  # one row per image: not folded
        with torch.no_grad():
            assert mode.grad_steps(8) is None
    assert mode.grad_steps(8) is None


def test_k_above_a_changed_t_is_an_error_at_the_draw():
    mode = BPTTMode.from_config(dict(mode='sltt', k=3), time_steps=4)
    with pytest.raises(ConfigValueError, match=r'1\.\.T=1\.\.2'):
        with mode.drawing(2, batch_size=1):
            pass


def test_select_and_scatter_steps():
    mode = BPTTMode('sltt', 2)
    torch.manual_seed(0)
    with mode.drawing(5, batch_size=1) as draw:
        pass
    x = torch.arange(5.).view(5, 1) + 1
    sel = select_steps(x, draw)
    assert sel.flatten().tolist() == [t + 1. for t in draw.steps]
    back = scatter_steps(sel, draw).flatten().tolist()
    assert back == [t + 1. if t in draw.steps else 0. for t in range(5)]
