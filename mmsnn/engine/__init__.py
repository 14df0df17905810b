"""Training and evaluation helpers: hooks."""
from .hooks import *  # noqa: F401,F403
