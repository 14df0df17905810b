"""The inference forward of the (L)IF kernels on CPU, in C++, in place.

In inference an ANN's activation works in place on its input (``ConvModule``
builds it with ``inplace=True``), so it costs neither an allocation nor a
second buffer's memory traffic; a neuron that writes its spikes into a new
tensor pays for both. This kernel writes the spikes of all T steps over
the input currents when the caller allows it (the neuron's ``inplace``, as
``ConvModule`` gives it), else into a new tensor. It walks the elements in
blocks of :data:`BLOCK`, the T steps of a block in turn with the potentials
of the block held in a local array, in parallel over blocks (ATen's
threads).

It is built with ``torch.utils.cpp_extension.load_inline`` (C++ compiler
and ninja) at its first use in a process and cached on disk by PyTorch
(``TORCH_EXTENSIONS_DIR``); where the build fails, :func:`spikes_cpu`
returns None from then on and the caller uses its other kernels. Its
arithmetic is :func:`~mmsnn.models.neurons.multistep.neuron_forward`'s,
without contraction of a multiply and an add (``-ffp-contract=off``), so
its spikes equal the other kernels' bit for bit (tested).
"""
import warnings
from typing import Optional

import torch
from torch import Tensor
from torch.utils._python_dispatch import is_in_torch_dispatch_mode

#: Elements per block: the potentials of one block stay in L1.
BLOCK = 1024

SOURCE = r'''
#include <torch/extension.h>
#include <ATen/Parallel.h>
#include <algorithm>

template <typename scalar_t>
void charge_fire(const scalar_t* x, scalar_t* out, int64_t T, int64_t N,
                 scalar_t vth, bool soft, bool has_leak, scalar_t leak) {
  at::parallel_for(0, N, 4 * BLOCK, [&](int64_t begin, int64_t end) {
    scalar_t v[BLOCK];
    for (int64_t b = begin; b < end; b += BLOCK) {
      const int64_t n = std::min<int64_t>(BLOCK, end - b);
      std::fill(v, v + n, scalar_t(0));
      for (int64_t t = 0; t < T; ++t) {
        const scalar_t* xr = x + t * N + b;
        scalar_t* o = out + t * N + b;
        // h = k V + I; s = H(h - Vth); V = h - Vth s (soft) or h (1 - s)
        #pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const scalar_t h = (has_leak ? leak * v[i] : v[i]) + xr[i];
          const scalar_t s = h >= vth ? scalar_t(1) : scalar_t(0);
          v[i] = soft ? h - vth * s : h * (scalar_t(1) - s);
          o[i] = s;
        }
      }
    }
  });
}

// Spikes of x [T, N] (contiguous) from rest, written into out (may be x).
void spikes_forward(torch::Tensor x, torch::Tensor out, double v_threshold,
                    bool soft_reset, c10::optional<double> leak) {
  const int64_t T = x.size(0), N = x.numel() / T;
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "spikes_forward", [&] {
    charge_fire<scalar_t>(x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                          T, N, static_cast<scalar_t>(v_threshold),
                          soft_reset, leak.has_value(),
                          static_cast<scalar_t>(leak.value_or(1.0)));
  });
  out.unsafeGetTensorImpl()->bump_version();  // as an in-place op does
}
'''


class _Extension:
    """The built module, once a process; why the build failed, if it
    did."""

    module = None
    failed: Optional[str] = None

    @classmethod
    def get(cls):
        if cls.module is None and cls.failed is None:
            try:
                from torch.utils.cpp_extension import load_inline
                cls.module = load_inline(
                    'mmsnn_neuron_cpu_inference',
                    cpp_sources=f'#define BLOCK {BLOCK}\n' + SOURCE,
                    functions=['spikes_forward'],
                    extra_cflags=['-O3', '-fopenmp', '-ffp-contract=off'],
                    extra_ldflags=['-fopenmp'])
            except Exception as e:  # no compiler / ninja: stay correct
                cls.failed = f'{type(e).__name__}: {e}'.splitlines()[0]
                warnings.warn('neuron inference kernel (C++, CPU): build '
                              f'failed ({cls.failed}); using the compiled '
                              'kernels (same results, slower).')
        return cls.module


def spikes_cpu(x_seq: Tensor,
               v_threshold: Tensor,
               soft_reset: bool,
               leak: Optional[Tensor] = None,
               inplace: bool = False) -> Optional[Tensor]:
    """Spikes of an (L)IF neuron over ``x_seq`` from rest, without a graph,
    or None where this kernel does not apply (not CPU, not float32 or
    float64, under a dispatch mode or ``torch.compile``, or the build
    failed).

    Args:
        x_seq (Tensor): Input currents ``[T, ...]``; not differentiated.
        v_threshold (Tensor): ``V_th``, 0-dim.
        soft_reset (bool): Subtract ``V_th`` after a spike, else reset to 0.
        leak (Tensor, optional): Leak factor ``k``, 0-dim; None for IF.
        inplace (bool): Write the spikes over ``x_seq`` (its currents are
            lost) where it is contiguous. Defaults to False.

    Returns:
        Tensor | None: Spikes, shape and dtype of ``x_seq`` (``x_seq``
        itself when written in place).
    """
    if x_seq.device.type != 'cpu' or x_seq.numel() == 0 or \
            x_seq.dtype not in (torch.float32, torch.float64) or \
            is_in_torch_dispatch_mode() or torch.compiler.is_compiling():
        return None
    module = _Extension.get()
    if module is None:
        return None
    x = x_seq.contiguous()
    # a copy made here is this kernel's own to overwrite
    out = x if inplace or x is not x_seq else torch.empty_like(x)
    module.spikes_forward(x.view(x.shape[0], -1), out.view(x.shape[0], -1),
                          float(v_threshold),
                          soft_reset, None if leak is None else float(leak))
    return out
