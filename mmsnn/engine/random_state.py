"""The random generators' state: Python's, numpy's, torch's and CUDA's."""
import contextlib
import random

import numpy as np
import torch


def get_random_state() -> dict:
    """The state of every generator training draws from, as a dict."""
    return dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state(),
        cuda=(torch.cuda.get_rng_state_all()
              if torch.cuda.is_available() else []))


def set_random_state(state: dict) -> None:
    """Put the generators back to ``state`` from :func:`get_random_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if state['cuda'] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@contextlib.contextmanager
def kept_random_state():
    """Run the block, then put the generators back to where they were."""
    state = get_random_state()
    try:
        yield
    finally:
        set_random_state(state)
