"""C++ kernels for CPU: the (L)IF forward, in place where allowed, and
BatchNorm's batch statistics.

* :func:`spikes_cpu`, the forward of the (L)IF kernels. In inference an
  ANN's activation works in place on its input (``ConvModule`` builds it
  with ``inplace=True``) and costs neither an allocation nor a second
  buffer's memory traffic; a neuron that writes its spikes into a new
  tensor pays for both. This kernel writes the spikes of all T steps over
  the input currents where the caller allows it, else into a new tensor.
  It serves inference and SLTT-K's training forward, for which it also
  writes the charged potentials of the drawn steps only (and of the steps
  before them), instead of all T to select from. It walks
  the elements in blocks of :data:`BLOCK`, the T steps of a block in turn
  with the block's potentials in a local array, in parallel over blocks.
  Its arithmetic is :func:`~mmsnn.models.neurons.multistep.neuron_forward`'s,
  without contracting a multiply and an add (``-ffp-contract=off``), so its
  spikes equal the other kernels' bit for bit (tested).
* :func:`drawn_steps_grad_cpu`, SLTT-K's backward of the same neurons in
  one pass: the drawn steps' ``dL/ds g'`` and zeros at the others (instead
  of selecting, computing and scattering).
* :func:`channel_stats_cpu`, the biased variance and the mean of every
  channel (SLTT-K's BatchNorm backward needs the batch statistics), in one
  pass for the mean and one for the squared deviations per channel,
  accumulated in double, without temporaries.

They are built with ``torch.utils.cpp_extension.load_inline`` (a C++
compiler and ninja) at their first use in a process and cached on disk by
PyTorch (``TORCH_EXTENSIONS_DIR``); where the build fails, one warning, and
the functions return None from then on (the callers use their PyTorch
code).
"""
import warnings
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch.utils._python_dispatch import is_in_torch_dispatch_mode

#: Elements per block: the potentials of one block stay in L1.
BLOCK = 1024

SOURCE = r'''
#include <torch/extension.h>
#include <ATen/Parallel.h>
#include <algorithm>
#include <cmath>
#include <vector>

template <typename scalar_t>
void charge_fire(const scalar_t* x, scalar_t* out, scalar_t* h_out,
                 scalar_t* h_prev_out, const std::vector<int64_t>& row,
                 int64_t T, int64_t N, scalar_t vth, bool soft,
                 bool has_leak, scalar_t leak) {
  at::parallel_for(0, N, 4 * BLOCK, [&](int64_t begin, int64_t end) {
    const scalar_t th = vth, k = has_leak ? leak : scalar_t(1);
    scalar_t v[BLOCK], h_last[BLOCK];
    for (int64_t b = begin; b < end; b += BLOCK) {
      const int64_t n = std::min<int64_t>(BLOCK, end - b);
      std::fill(v, v + n, scalar_t(0));
      std::fill(h_last, h_last + n, scalar_t(0));
      for (int64_t t = 0; t < T; ++t) {
        const scalar_t* xr = x + t * N + b;
        scalar_t* o = out + t * N + b;
        const int64_t r = row[t];  // row of a drawn step in h_out, or -1
        if (r >= 0 && h_prev_out) {
          std::copy(h_last, h_last + n, h_prev_out + r * N + b);
        }
        // h = k V + I; s = H(h - Vth); V = h - Vth s (soft) or h (1 - s)
        #pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const scalar_t h = k * v[i] + xr[i];  // k = 1: exactly v + I
          const scalar_t s = static_cast<scalar_t>(h >= th);
          v[i] = soft ? h - th * s : h * (scalar_t(1) - s);
          h_last[i] = h;
          o[i] = s;
        }
        if (r >= 0 && h_out) {
          std::copy(h_last, h_last + n, h_out + r * N + b);
        }
      }
    }
  });
}

// Spikes of x [T, N] (contiguous) from rest into out [T, N] (may be x);
// the charged potentials of the steps `steps` (sorted) into h_out [K, N]
// and those of the steps before them into h_prev_out [K, N], if defined.
void spikes_forward(torch::Tensor x, torch::Tensor out, double v_threshold,
                    bool soft_reset, c10::optional<double> leak,
                    std::vector<int64_t> steps,
                    c10::optional<torch::Tensor> h_out,
                    c10::optional<torch::Tensor> h_prev_out) {
  const int64_t T = x.size(0), N = x.numel() / T;
  std::vector<int64_t> row(T, -1);
  for (size_t j = 0; j < steps.size(); ++j) row[steps[j]] = j;
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "spikes_forward", [&] {
    charge_fire<scalar_t>(
        x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
        h_out ? h_out->data_ptr<scalar_t>() : nullptr,
        h_prev_out ? h_prev_out->data_ptr<scalar_t>() : nullptr, row, T, N,
        static_cast<scalar_t>(v_threshold), soft_reset, leak.has_value(),
        static_cast<scalar_t>(leak.value_or(1.0)));
  });
  out.unsafeGetTensorImpl()->bump_version();  // as an in-place op does
}

// The ATan surrogate g'(u) = alpha / (2 (1 + (pi/2 alpha u)^2)).
template <typename scalar_t>
inline scalar_t surrogate(scalar_t u, scalar_t c, scalar_t alpha) {
  const scalar_t w = c * u;
  return alpha / (scalar_t(2) * (scalar_t(1) + w * w));
}

// SLTT-K: dL/dI [T, N] from dL/ds [T, N] and the potentials h [K, N] of
// the drawn steps `steps` (sorted); zeros at the other steps.
template <typename scalar_t>
void drawn_grad(const scalar_t* h, const scalar_t* gs, scalar_t* gx,
                const std::vector<int64_t>& row, int64_t T, int64_t N,
                scalar_t vth, scalar_t alpha) {
  const scalar_t c0 = static_cast<scalar_t>(M_PI / 2 * double(alpha));
  at::parallel_for(0, N, 4 * BLOCK, [&](int64_t begin, int64_t end) {
    const scalar_t c = c0, th = vth, a = alpha;
    for (int64_t t = 0; t < T; ++t) {
      scalar_t* o = gx + t * N;
      if (row[t] < 0) {
        std::fill(o + begin, o + end, scalar_t(0));
        continue;
      }
      const scalar_t* h_t = h + row[t] * N;
      const scalar_t* g = gs + t * N;
      #pragma omp simd
      for (int64_t i = begin; i < end; ++i) {
        o[i] = g[i] * surrogate(h_t[i] - th, c, a);
      }
    }
  });
}

torch::Tensor drawn_steps_backward(torch::Tensor h, torch::Tensor grad_spikes,
                                   std::vector<int64_t> steps,
                                   double v_threshold, double alpha) {
  const int64_t T = grad_spikes.size(0), N = grad_spikes.numel() / T;
  std::vector<int64_t> row(T, -1);
  for (size_t j = 0; j < steps.size(); ++j) row[steps[j]] = j;
  auto grad_x = torch::empty_like(grad_spikes);
  AT_DISPATCH_FLOATING_TYPES(h.scalar_type(), "drawn_steps_backward", [&] {
    drawn_grad<scalar_t>(h.data_ptr<scalar_t>(),
                         grad_spikes.data_ptr<scalar_t>(),
                         grad_x.data_ptr<scalar_t>(), row, T, N,
                         static_cast<scalar_t>(v_threshold),
                         static_cast<scalar_t>(alpha));
  });
  return grad_x;
}

template <typename scalar_t>
void stats_of_channels(const scalar_t* p, double* var, double* mean,
                       int64_t N, int64_t C, int64_t L) {
  at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      double sum = 0;
      for (int64_t n = 0; n < N; ++n) {
        const scalar_t* q = p + (n * C + c) * L;
        #pragma omp simd reduction(+:sum)
        for (int64_t i = 0; i < L; ++i) sum += q[i];
      }
      const double m = sum / double(N * L);
      double dev = 0;
      for (int64_t n = 0; n < N; ++n) {
        const scalar_t* q = p + (n * C + c) * L;
        #pragma omp simd reduction(+:dev)
        for (int64_t i = 0; i < L; ++i) {
          const double d = double(q[i]) - m;
          dev += d * d;
        }
      }
      mean[c] = m;
      var[c] = dev / double(N * L);
    }
  });
}

// Biased variance and mean of every channel of x [N, C, L] (contiguous),
// accumulated in double, returned in x's dtype: [2, C].
torch::Tensor channel_stats(torch::Tensor x) {
  const int64_t N = x.size(0), C = x.size(1), L = x.size(2);
  auto stats = torch::empty({2, C}, x.options().dtype(torch::kFloat64));
  double* var = stats.data_ptr<double>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "channel_stats", [&] {
    stats_of_channels<scalar_t>(x.data_ptr<scalar_t>(), var, var + C, N, C,
                                L);
  });
  return stats.to(x.scalar_type());
}
'''


def vector_flags() -> List[str]:
    """Compiler flags for the widest vectors PyTorch uses on this CPU
    (AVX2 where it does; ``-ffp-contract=off`` keeps FMA out); the build's
    name carries them, so that one cache serves CPUs of both kinds."""
    if torch.backends.cpu.get_cpu_capability() in ('AVX2', 'AVX512'):
        return ['-mavx2']
    return []


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
                isa = vector_flags()
                cls.module = load_inline(
                    'mmsnn_cpu_kernels' + ''.join(
                        '_' + f.lstrip('-m') for f in isa),
                    cpp_sources=f'#define BLOCK {BLOCK}\n' + SOURCE,
                    functions=['spikes_forward', 'drawn_steps_backward',
                               'channel_stats'],
                    extra_cflags=['-O3', '-fopenmp', '-ffp-contract=off'] +
                    isa,
                    extra_ldflags=['-fopenmp'])
            except Exception as e:  # no compiler / ninja: stay correct
                cls.failed = f'{type(e).__name__}: {e}'.splitlines()[0]
                warnings.warn('mmsnn CPU kernels (C++): build failed '
                              f'({cls.failed}); using PyTorch code (same '
                              'results, slower).')
        return cls.module


def _module_for(x: Tensor):
    """The built module if its kernels apply to ``x`` (float32 or float64
    on CPU, not under a dispatch mode or ``torch.compile``), else None."""
    if x.device.type != 'cpu' or x.numel() == 0 or \
            x.dtype not in (torch.float32, torch.float64) or \
            is_in_torch_dispatch_mode() or torch.compiler.is_compiling():
        return None
    return _Extension.get()


def spikes_cpu(x_seq: Tensor,
               v_threshold: Tensor,
               soft_reset: bool,
               leak: Optional[Tensor] = None,
               inplace: bool = False,
               steps: Optional[Sequence[int]] = None,
               prev: bool = False
               ) -> Optional[Tuple[Tensor, Optional[Tensor],
                                   Optional[Tensor]]]:
    """Spikes of an (L)IF neuron over ``x_seq`` from rest, without a graph,
    or None where this kernel does not apply (see :func:`_module_for`) or
    the build failed.

    Args:
        x_seq (Tensor): Input currents ``[T, ...]``.
        v_threshold (Tensor): ``V_th``, 0-dim.
        soft_reset (bool): Subtract ``V_th`` after a spike, else reset to 0.
        leak (Tensor, optional): Leak factor ``k``, 0-dim; None for IF.
        inplace (bool): Write the spikes over ``x_seq`` (its currents are
            lost) where it is contiguous. Defaults to False.
        steps (Sequence[int], optional): Sorted steps whose charged
            potentials ``h[t]`` to return. Defaults to None (none).
        prev (bool): Also return ``h[t-1]`` of each of ``steps`` (zeros
            for ``t = 0``). Defaults to False.

    Returns:
        tuple[Tensor, Tensor | None, Tensor | None] | None: Spikes (shape
        and dtype of ``x_seq``; ``x_seq`` itself when written in place),
        the potentials of ``steps`` and of the steps before them
        (``[K, N]``, ``N`` the elements of a step), or None.
    """
    module = _module_for(x_seq)
    if module is None:
        return None
    x = x_seq.contiguous()
    # a copy made here is this kernel's own to overwrite
    out = x if inplace or x is not x_seq else torch.empty_like(x)
    flat = x.view(x.shape[0], -1)
    steps = list(steps or ())
    h = flat.new_empty((len(steps), flat.shape[1])) if steps else None
    h_prev = flat.new_empty((len(steps), flat.shape[1])) \
        if steps and prev else None
    module.spikes_forward(flat, out.view(flat.shape), float(v_threshold),
                          soft_reset, None if leak is None else float(leak),
                          steps, h, h_prev)
    return out, h, h_prev


def drawn_steps_grad_cpu(h_sel: Tensor,
                         grad_spikes: Tensor,
                         steps: Sequence[int],
                         v_threshold: Tensor,
                         alpha: float) -> Optional[Tensor]:
    """SLTT-K's ``dL/dI`` ``[T, N]`` from ``dL/ds`` ``[T, N]`` and the
    drawn steps' charged potentials ``h_sel`` ``[K, N]``: ``dL/ds g'`` at
    the drawn steps, zeros at the others; no threshold or leak gradient.
    None where the kernel does not apply or the build failed."""
    module = _module_for(h_sel)
    if module is None:
        return None
    return module.drawn_steps_backward(h_sel.contiguous(),
                                       grad_spikes.contiguous(),
                                       list(steps), float(v_threshold),
                                       float(alpha))


def channel_stats_cpu(x: Tensor) -> Optional[Tuple[Tensor, Tensor]]:
    """Biased variance and mean of every channel of ``x`` ``[N, C, ...]``
    (float32 at least; accumulated in double), or None where the kernel
    does not apply (see :func:`_module_for`) or the build failed."""
    module = _module_for(x)
    if module is None:
        return None
    stats = module.channel_stats(x.contiguous().view(*x.shape[:2], -1))
    return stats[0], stats[1]
