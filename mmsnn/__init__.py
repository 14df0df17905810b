"""mmsnn: spiking neural network detectors for MMDetection 3.x.

``import mmsnn`` (or ``custom_imports = dict(imports=['mmsnn'])`` in a config)
registers every component into mmdet's registries (and mmengine's file
backend ``'mmsnn_atomic_local'``, the config scope ``mmsnn::``) and changes
nothing else of mmengine, mmdet or torch: mmsnn's safe checkpoints and
training loop act where tools/train.py or a config switches them on
(docs/faults.md).
"""
import mmcv
import mmdet
import mmengine
from mmengine.utils import digit_version

from .version import __version__

# Version windows this release is tested with, and how to get them.
_REQUIREMENTS = {
    'mmcv': (mmcv, '2.0.0', '2.2.0', 'mmcv==2.1.0 (built with ops)'),
    'mmdet': (mmdet, '3.3.0', '3.4.0', 'mmdet==3.3.0'),
    'mmengine': (mmengine, '0.10.0', '1.0.0', 'mmengine==0.10.7'),
}


def _check_versions() -> None:
    problems = []
    for name, (module, low, high, pin) in _REQUIREMENTS.items():
        version = digit_version(module.__version__)
        if not digit_version(low) <= version < digit_version(high):
            problems.append(f'{name} {module.__version__} (need >={low}, '
                            f'<{high}: pip install "{pin}")')
    try:
        import spikingjelly.activation_based.neuron  # noqa: F401
        from importlib.metadata import version as _dist_version
        sj = _dist_version('spikingjelly')
        if digit_version(sj) < digit_version('2.0.0'):
            problems.append(f'spikingjelly {sj} (need >=2.0.0: pip install '
                            '--no-deps spikingjelly==2.0.0 loguru)')
    except ImportError as e:
        problems.append(f'spikingjelly not importable ({e}): pip install '
                        '--no-deps spikingjelly==2.0.0 loguru')
    if problems:
        raise ImportError(
            'mmsnn found incompatible packages: ' + '; '.join(problems) +
            '. `bash tools/setup_env.sh` installs the tested set.')


_check_versions()

from . import registry  # noqa: E402,F401  (the mmsnn:: config scope)

from .models import *  # noqa: E402,F401,F403
from .engine import *  # noqa: E402,F401,F403
from .datasets import *  # noqa: E402,F401,F403
from .evaluation import *  # noqa: E402,F401,F403
from . import conversion  # noqa: E402,F401  (registers SpikingYOLO)

__all__ = ['__version__']
