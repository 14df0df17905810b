#!/usr/bin/env bash
# GPU check of the SNN-vs-ANN performance work (benchmark_snn.py), <= 6 min.
#
# Measures on CUDA, at 416x416, T=6, B=4 (the ANN twin at batch 24):
# train and inference step time, throughput and peak memory of SNN-YOLOv3
# against its ANN twin, with and without --amp (float16), with the 'fused'
# and 'compiled' (torch.compile/Triton) neuron kernels, with activation
# checkpointing, the folded vs the per-step path and encoder-once vs T times.
# Runs the most important first and skips the rest once the budget is spent.
#
# Two steps, because the GPU machine may reach no package index:
#   1. here, on a machine with PyPI (fills .gpu_pack/ with ~10 MB of wheels
#      for CPython 3.12 / manylinux x86_64; PACK_PYTHON_VERSION to change):
#        bash .dev_scripts/gpu_check.sh --pack
#   2. on the GPU machine, in the repository root, with .gpu_pack/ beside it
#      (carry it), using its python3 that has torch with CUDA:
#        OUT=/some/dir bash .dev_scripts/gpu_check.sh [--quick]
#      --quick: 3 timed rounds instead of 10 (about half the time).
#      Env: PYTHON (default python3), BUDGET (seconds for the runs, 270),
#      SHAPE (416), BATCH (4).
# Results: $OUT/gpu_check.json (every run), $OUT/gpu_check_summary.txt,
# $OUT/gpu_check.log. Packages missing there are installed from .gpu_pack/
# (or from PyPI if reachable) into a temporary folder, nothing else changes.
# Without mmcv's compiled ops (mmcv-lite) mmcv.ops is stubbed: training and
# _forward never use it (only NMS in predict would).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pack="${PACK:-$repo/.gpu_pack}"
py="${PYTHON:-python3}"
# module to import -> wheel (distribution) that provides it
deps="mmengine:mmengine==0.10.7 mmdet:mmdet==3.3.0 mmcv:mmcv-lite==2.1.0
spikingjelly:spikingjelly==2.0.0 loguru:loguru addict:addict yapf:yapf
platformdirs:platformdirs termcolor:termcolor terminaltables:terminaltables
pycocotools:pycocotools shapely:shapely"

if [ "${1:-}" = "--pack" ]; then
  mkdir -p "$pack"
  grep -qxF '/.gpu_pack/' "$repo/.git/info/exclude" 2>/dev/null \
    || echo '/.gpu_pack/' >> "$repo/.git/info/exclude"
  reqs=$(for d in $deps; do echo "${d#*:}"; done)
  "$py" -m pip download --no-deps --only-binary=:all: \
    --python-version "${PACK_PYTHON_VERSION:-3.12}" --implementation cp \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux_2_24_x86_64 --platform manylinux_2_28_x86_64 \
    -d "$pack" $reqs || exit 1
  du -sh "$pack"; ls "$pack"
  exit 0
fi

out="${OUT:-$repo/gpu_check_out}"
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
iters=10
[ "${1:-}" = "--quick" ] && iters=3
cd "$repo"
echo "== machine"
nvidia-smi -L 2>&1 | head -4
"$py" - <<'PY'
import sys, torch
print('python', sys.version.split()[0], '| torch', torch.__version__,
      '| CUDA', torch.version.cuda, '| available', torch.cuda.is_available())
if torch.cuda.is_available():
    print('device', torch.cuda.get_device_name())
try:
    import triton
    print('triton', triton.__version__)
except ImportError as e:
    print('triton missing:', e, '(compiled neuron backend will fall back)')
PY

echo "== packages"
site="$(mktemp -d /tmp/mmsnn_gpu_site.XXXX)"
export PYTHONPATH="$site:$repo${PYTHONPATH:+:$PYTHONPATH}"
missing=()
for d in $deps; do
  mod="${d%%:*}"; req="${d#*:}"
  if "$py" -c "import $mod" 2>/dev/null; then
    echo "have $mod $("$py" -c "import $mod; print(getattr($mod, '__version__', ''))" 2>/dev/null)"
  else
    missing+=("$req")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing into $site: ${missing[*]}"
  wheels=()
  for req in "${missing[@]}"; do
    name="${req%%==*}"; name="${name//-/_}"
    w=$(ls "$pack"/"$name"-*.whl 2>/dev/null | head -n 1)
    if [ -n "$w" ]; then wheels+=("$w"); else echo "no wheel for $req in $pack"; fi
  done
  [ ${#wheels[@]} -gt 0 ] && "$py" -m pip install -q --no-index --no-deps \
    --target "$site" "${wheels[@]}"
  for req in "${missing[@]}"; do
    mod=$(for d in $deps; do [ "${d#*:}" = "$req" ] && echo "${d%%:*}"; done)
    "$py" -c "import $mod" 2>/dev/null && continue
    echo "$mod still missing: trying PyPI (fails fast offline)"
    "$py" -m pip install -q --no-deps --timeout 10 --retries 0 \
      --target "$site" "$req" || echo "could not install $req"
  done
fi
stub=()
if ! "$py" -c "import mmcv.ops" 2>/dev/null; then
  echo "mmcv.ops not importable ($("$py" -c 'import mmcv.ops' 2>&1 | tail -n 1)): stubbing it"
  stub=(--stub-mmcv-ops)
fi
"$py" - "${stub[@]}" <<'PY' || { echo "mmsnn does not import: stop"; exit 1; }
import sys
if '--stub-mmcv-ops' in sys.argv:
    sys.path.insert(0, '.dev_scripts')
    from gpu_check import install_mmcv_ops_stub
    install_mmcv_ops_stub()
import numpy, mmcv, mmdet, mmengine, mmsnn
print('numpy', numpy.__version__, '| mmcv', mmcv.__version__, '| mmdet',
      mmdet.__version__, '| mmengine', mmengine.__version__, '| mmsnn ok')
PY

echo "== benchmarks (budget ${BUDGET:-270} s)"
timeout 330 "$py" .dev_scripts/gpu_check.py --out "$out" \
  --shape "${SHAPE:-416}" --batch "${BATCH:-4}" --iters "$iters" \
  --budget "${BUDGET:-270}" "${stub[@]}"
echo "== done (exit $?): results in $out"
