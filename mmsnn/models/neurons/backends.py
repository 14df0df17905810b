"""Which kernel runs a neuron's T steps: the backend choice.

``backend='auto'`` (the default of every neuron) picks the fastest measured
kernel for the device the neuron lives on (:data:`FASTEST_BACKEND`, from
``docs/benchmarks.md``): ``'compiled'`` on CPU (train step SNN / ANN 1.016
compiled vs 1.08 fused, 2-core CPU) and on CUDA (H200 inference 1.27 vs
2.94, train 0.763 vs 1.027), ``'fused'`` on devices not measured. Compiling
costs 10 to 20 s at the first use of each new (T, dtype, reset) variant in a
process (2-core CPU); where it fails (no C++ compiler, no Triton) the
neurons fall back to ``'fused'`` with one warning, and ``'auto'`` resolves
to ``'fused'`` from then on. On CPU the inference forward of
``'compiled'`` (and SLTT-K's forward and backward) is the C++ kernel of
:mod:`mmsnn.models.cpu_kernels` (in place in inference where the neuron's
``inplace`` allows it), with the compiled one as its fallback.

The environment variable :data:`BACKEND_ENV` (``MMSNN_NEURON_BACKEND``)
overrides what ``'auto'`` resolves to where the neuron has that kernel (e.g.
``fused`` for a test suite that builds hundreds of tiny models and should
not compile each variant); an explicit backend in a config always wins.
"""
import os
from typing import Optional, Sequence

from ...utils.input_error import ConfigValueError

#: The kernels: ``'fused'`` (one autograd node for all T steps, eager),
#: ``'compiled'`` (the same node, ``torch.compile``-d), ``'autograd'`` (the
#: per-step graph, the reference).
KERNEL_BACKENDS = ('fused', 'compiled', 'autograd')

#: Backends a config may name: a kernel, or ``'auto'`` to pick among them.
BACKENDS = ('auto', *KERNEL_BACKENDS)

#: Fastest measured backend per device type (docs/benchmarks.md).
FASTEST_BACKEND = {'cpu': 'compiled', 'cuda': 'compiled'}

#: Environment variable that overrides what ``backend='auto'`` resolves to.
BACKEND_ENV = 'MMSNN_NEURON_BACKEND'


def check_backend(owner: str, backend: str,
                  supported: Sequence[str]) -> str:
    """Return ``backend`` if it is ``'auto'`` or in ``supported``."""
    if backend != 'auto' and backend not in supported:
        raise ConfigValueError(
            f'{owner}: backend must be one of {("auto", *supported)}, got '
            f'{backend!r}')
    return backend


def resolve_backend(backend: str,
                    device_type: str,
                    supported: Sequence[str] = KERNEL_BACKENDS,
                    compile_failed: Optional[str] = None,
                    env: Optional[str] = None) -> str:
    """The backend that runs: ``backend`` itself unless it is ``'auto'``.

    Args:
        backend (str): What the neuron was built with.
        device_type (str): ``'cpu'``, ``'cuda'``, ...
        supported (Sequence[str]): Backends the neuron has, best fallback
            first after ``'compiled'``. Defaults to :data:`KERNEL_BACKENDS`.
        compile_failed (str, optional): Why ``torch.compile`` failed in this
            process, if it did: ``'auto'`` then avoids ``'compiled'``.
        env (str, optional): The value of :data:`BACKEND_ENV`; None reads the
            environment.

    Returns:
        str: One of ``supported``.
    """
    if backend != 'auto':
        return backend
    env = os.environ.get(BACKEND_ENV, '') if env is None else env
    if env and env != 'auto':
        # a kernel the neuron lacks (a spikingjelly node has none) is ignored
        check_backend(f'{BACKEND_ENV}={env}', env, KERNEL_BACKENDS)
        if env in supported:
            return env
    choice = FASTEST_BACKEND.get(device_type, 'fused')
    if choice == 'compiled' and compile_failed:
        choice = 'fused'
    return choice if choice in supported else supported[0]
