"""Evaluation: the Gen1 event-camera detection protocol."""
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
