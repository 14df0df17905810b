#!/usr/bin/env bash
# Set up (or reuse) the Python environment mmsnn runs in.
#
# Idempotent: every step first checks whether what it would install is already
# there, so a second run takes seconds and rebuilds nothing.
#
# Environment variables:
#   MMSNN_VENV       virtual environment to create/reuse
#                    (default: $HOME/.venvs/mmsnn; shared by every clone, so CI
#                    and later checkouts reuse it).
#   MMSNN_TORCH      pip requirement for torch (default: torch==2.13.0, the CPU
#                    build). GPU users: install their CUDA torch into the venv
#                    first and set MMSNN_TORCH=keep to leave it alone.
#   MMSNN_WHEELHOUSE folder holding a prebuilt mmcv 2.1.0 wheel
#                    (default: ../shared/wheels beside the checkout). Used only
#                    when the wheel fits this Python and torch 2.13.0 CPU;
#                    otherwise mmcv is built from source with its ops (~12 min).
# Prints the venv's python path as the last line on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MMSNN_VENV:-$HOME/.venvs/mmsnn}"
torch_req="${MMSNN_TORCH:-torch==2.13.0}"
wheelhouse="${MMSNN_WHEELHOUSE:-$here/../shared/wheels}"

log() { echo "[setup_env] $*" >&2; }

if [ ! -x "$venv/bin/python" ]; then
  log "creating virtual environment $venv"
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
pipi() { "$py" -m pip install --disable-pip-version-check -q "$@" >&2; }
have() { "$py" - "$@" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
from packaging.requirements import Requirement
for spec in sys.argv[1:]:
    req = Requirement(spec)
    try:
        if not req.specifier.contains(version(req.name), prereleases=True):
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}
"$py" -c 'import packaging' 2>/dev/null || pipi packaging

# torch: pinned CPU build by default. Never let pip resolve a bare 'torch':
# on PyPI that is a multi-GB CUDA build.
if [ "$torch_req" != keep ]; then
  have "$torch_req" || { log "installing $torch_req"; pipi "$torch_req"; }
fi
"$py" -W ignore -c 'import torch' 2>/dev/null || { log "torch is not importable in $venv"; exit 1; }

# Runtime dependencies (mmdet, mmengine, pycocotools, numpy<2, ...); first,
# since mmcv's wheel is installed --no-deps and its build needs numpy.
if ! have $(grep -v '^#' "$here/requirements/runtime.txt" | grep . ) ; then
  log "installing requirements/runtime.txt"
  pipi -r "$here/requirements/runtime.txt"
fi

# setuptools<70 keeps pkg_resources, which mmcv's setup.py and mmengine's
# `mmdet::` config lookup import. After torch and the requirements, because
# torch 2.13 declares setuptools>=77 and pip upgrades it (pip then warns of
# the conflict; torch runs fine with 69). wheel and ninja: mmcv's build
# (ninja, pinned in requirements/runtime.txt, also builds mmsnn's CPU kernels).
have 'setuptools<70' wheel ninja || pipi 'setuptools<70' wheel ninja

# mmcv 2.1.0 with compiled ops (mmdet 3.3.0 needs mmcv.ops, e.g. batched_nms,
# and asserts mmcv<2.2.0; PyPI has no wheel of it for this torch).
mmcv_ok() { "$py" -c 'import mmcv, mmcv.ops; assert mmcv.__version__ == "2.1.0"' 2>/dev/null; }
if ! mmcv_ok; then
  tag=$("$py" -c 'import sys, torch; print(f"cp{sys.version_info.major}{sys.version_info.minor}", torch.__version__)')
  wheel=$(ls "$wheelhouse"/mmcv-2.1.0-cp311-*.whl 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ] && [ "$tag" = "cp311 2.13.0+cpu" ]; then
    log "installing mmcv from $wheel"
    pipi --no-deps "$wheel"
  else
    log "building mmcv 2.1.0 with ops from source for $tag (about 12 minutes on 2 cores)"
    MMCV_WITH_OPS=1 pipi --no-build-isolation --no-binary mmcv mmcv==2.1.0
  fi
  mmcv_ok || { log "mmcv 2.1.0 with ops did not install:"; "$py" -c "import mmcv.ops" >&2; exit 1; }
fi

# spikingjelly 2.0.0 declares torchvision and torchaudio (and tensorboard, h5py,
# scipy, ...). Resolving those would replace the CPU torch by a multi-GB CUDA
# build, and nothing we import needs them: activation_based.{neuron, surrogate,
# functional, op_counter} import only torch, numpy and loguru. So: --no-deps.
have spikingjelly==2.0.0 || { log "installing spikingjelly 2.0.0 (--no-deps)"; pipi --no-deps spikingjelly==2.0.0; }

if [ "${1:-}" = "--tests" ]; then
  have $(grep -v '^#' "$here/requirements/tests.txt" | grep .) || pipi -r "$here/requirements/tests.txt"
fi

# mmsnn itself, editable, so configs/ and tools/ of this checkout are used
# (and mmsnn/.mim links to them: `mmsnn::` configs). Checked from / , not from
# here: python puts its working directory on sys.path, so from the checkout
# `import mmsnn` works whether or not mmsnn is installed. Re-run when the
# venv points at another checkout (e.g. a fresh CI clone) or lost .mim.
installed_here() { (cd / && "$py" - "$here" <<'PY' 2>/dev/null
import os, sys
import mmsnn
from mmengine.utils import get_installed_path
here = os.path.realpath(sys.argv[1])
package = os.path.dirname(os.path.realpath(mmsnn.__file__))
# .mim/configs must lead to this checkout's configs (mmsnn's setup.py
# before 2026-12-02, like mmdet's, left copies there when it built a wheel,
# which would go stale).
sys.exit(package != os.path.join(here, 'mmsnn')
         or os.path.realpath(get_installed_path('mmsnn')) != package
         or os.path.realpath(os.path.join(package, '.mim', 'configs'))
         != os.path.join(here, 'configs'))
PY
); }
if ! installed_here; then
  log "installing mmsnn (editable) from $here"
  pipi --no-deps --no-build-isolation -e "$here"
  installed_here || { log "mmsnn is not importable from outside $here after its install"; exit 1; }
fi
echo "$py"
