"""Checkpoints: safe loading, checks before loading, weights-only state."""
from .allowlist import checkpoint_globals, safe_checkpoint_loading
from .file import check_checkpoint_file, load_checkpoint_to_check
from .finite import check_finite, nonfinite_tensors
from .fit import check_load_from, check_load_from_shapes
from .inference import check_test_checkpoint, check_tool_checkpoint
from .model_type import model_type_mismatch
from .plain_state import from_plain, to_plain
from .resume import check_resume, find_resume_checkpoint
from .safe_load import (DamagedCheckpointError, UnsafeCheckpointError,
                        load_checkpoint_safely)

__all__ = [
    'checkpoint_globals', 'safe_checkpoint_loading', 'check_checkpoint_file',
    'load_checkpoint_to_check', 'check_finite', 'nonfinite_tensors',
    'check_load_from', 'check_load_from_shapes', 'check_test_checkpoint',
    'check_tool_checkpoint', 'model_type_mismatch', 'from_plain', 'to_plain',
    'check_resume', 'find_resume_checkpoint', 'DamagedCheckpointError',
    'UnsafeCheckpointError', 'load_checkpoint_safely'
]
