#!/usr/bin/env bash
# The main job: SNN-YOLOv3 (T=4) on the bundled mini-VOC data set, on a CPU.
#
#   bash tools/run_main_job.sh
#
# In order:
#   1. set up the environment (tools/setup_env.sh, idempotent);
#   2. write mini-VOC to data/mini_voc unless this generator version already
#      did (tools/misc/make_mini_voc.py --if-outdated), and check its bytes
#      against the shipped manifest (--verify; a mismatch is reported, and
#      the job goes on);
#   3. the ANN twin (configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py),
#      by default the published one (the SNN config's load_from,
#      checkpoints/mini_voc/: this config trained for seed 0, then published
#      by tools/model_converters/publish_model.py), checked against the hash
#      in its name and tested on the test split (the ANN row of the README's
#      table) beside step 4; with MMSNN_TWIN=train, trained here first
#      instead (24 epochs: about 18 minutes on top on a 2-core CPU);
#   4. train the SNN
#      (configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py)
#      initialised from the ANN twin's weights, as the authors initialise
#      SNN-YOLOv3 from an ANN YOLOv3 (same module names, so the weights load
#      one to one), without its validation after the last epoch (step 5
#      evaluates the same checkpoint on the same images);
#   5. evaluate the SNN's final checkpoint on the mini-VOC test split
#      (tools/test.py, VOC mAP@0.5) and paint its detections on every test
#      image;
#   6. print where everything went, both mAPs beside the published range
#      (configs/mini_voc/results.json) and the time of each step.
# Ctrl-C (or SIGTERM) during training stops it after the current iteration
# with a checkpoint; run the job again and it goes on from there.
#
# Environment (all optional):
#   MMSNN_SEED      training seed of both models (default 0); the published
#                   range comes from seeds 0, 1, 2 (.dev_scripts/main_job_seeds.sh)
#   MMSNN_WORK_DIR  where the work dirs go (default work_dirs)
#   MMSNN_TWIN      'published' (default): start from the published ANN
#                   twin; 'train': train the twin here with MMSNN_SEED, as
#                   the published one was trained (seed 0)
# For the same numbers on every machine, the job fixes what it can (unless
# already set): 2 threads (OMP_NUM_THREADS; results depend on the thread
# count) and, on x86-64 CPUs with AVX2, AVX2 kernels in torch, oneDNN and
# MKL (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA, MKL_CBWR: AVX-512 and AMX
# kernels round differently). docs/reproducibility.md says what remains.
#
# Outputs:
#   work_dirs/yolov3_minivoc/               the ANN twin's logs and checkpoint
#                                           (MMSNN_TWIN=train), or its test
#                                           log (test/, published twin)
#   work_dirs/snn_yolov3_minivoc_t4/        the SNN's logs and checkpoint
#   work_dirs/snn_yolov3_minivoc_t4/test/   the SNN's test log and metrics
#   work_dirs/snn_yolov3_minivoc_t4/detections/
#                                           one PNG per test image: ground
#                                           truth (left) beside detections
#                                           scoring >= 0.3 (right)
#
# mini-VOC is synthetic: its mAP is not a PASCAL VOC result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$#" -gt 0 ]; then
  echo "run_main_job: takes no arguments (got: $*); to train one config," \
    "run python tools/train.py CONFIG" >&2
  exit 2
fi
seed="${MMSNN_SEED:-0}"
case "$seed" in
  ''|*[!0-9]*) echo "run_main_job: MMSNN_SEED must be a non-negative" \
    "integer, got '$seed'" >&2; exit 2 ;;
esac
work="${MMSNN_WORK_DIR:-work_dirs}"
twin_mode="${MMSNN_TWIN:-published}"
case "$twin_mode" in
  published|train) ;;
  *) echo "run_main_job: MMSNN_TWIN must be 'published' or 'train', got" \
    "'$twin_mode'" >&2; exit 2 ;;
esac
ann_config=configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py
snn_config=configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py
results=configs/mini_voc/results.json
ann_dir="$work/yolov3_minivoc"
snn_dir="$work/snn_yolov3_minivoc_t4"
data_dir=data/mini_voc
case "$snn_dir" in /*) show_dir="$snn_dir/detections" ;;
  *) show_dir="$PWD/$snn_dir/detections" ;; esac
log() { echo "[main_job] $*" >&2; }
stamp() { date +%s; }
newest_log() { ls -t "$1"/*/*.log 2>/dev/null | head -n 1; }
last_map() { grep -o 'pascal_voc/mAP: [0-9.]*' "$1" | tail -n 1 | cut -d' ' -f2; }

py="$(bash tools/setup_env.sh | tail -n 1)"

# Same numbers on every machine: a fixed thread count and, where the CPU
# has AVX2, the AVX2 kernels (not AVX-512 / AMX ones, which round
# differently). ATEN_CPU_CAPABILITY=avx2 on a CPU without AVX2 would crash.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  export ATEN_CPU_CAPABILITY="${ATEN_CPU_CAPABILITY:-avx2}"
  export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-AVX2}"
  export MKL_CBWR="${MKL_CBWR:-AVX2}"
fi
seed_opts=(randomness.seed="$seed")
log "seed $seed, $OMP_NUM_THREADS threads, CPU kernels ${ATEN_CPU_CAPABILITY:-default}"
start=$(stamp)

log "mini-VOC in $data_dir"
data_note="bytes match tools/misc/mini_voc_manifest.sha256"
if ! "$py" tools/misc/make_mini_voc.py --out "$data_dir" --if-outdated \
    --verify; then
  data_note="BYTES DIFFER from the manifest: mAPs not comparable with the published range"
  log "WARNING: $data_note (see the message above)"
fi
data_done=$(stamp)

# train_step DIR CONFIG [CFG_OPTIONS...]: tools/train.py CONFIG into DIR.
# Ctrl-C or SIGTERM stops training with interrupted_iter_<N>.pth, named by
# DIR/last_checkpoint (tools/train.py exits with 130 or 143): the next run
# of this job goes on from there (--resume) instead of starting over.
resumed=""
train_step() {
  local dir="$1" config="$2"
  shift 2
  local pointer="$dir/last_checkpoint" resume=() rc=0
  if [ -f "$pointer" ]; then
    case "$(basename "$(cat "$pointer")")" in
      interrupted_iter_*.pth)
        log "going on from $(cat "$pointer"), where the last run of this" \
          "step was stopped (delete $dir to start it over)"
        resume=(--resume)
        resumed="$resumed; $(basename "$dir") resumed, its time is the rest" ;;
    esac
  fi
  "$py" tools/train.py "$config" --work-dir "$dir" "${resume[@]}" \
    --cfg-options "$@" || rc=$?
  if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then
    log "stopped; bash tools/run_main_job.sh again goes on from" \
      "$(cat "$pointer")"
  fi
  [ "$rc" -eq 0 ] || exit "$rc"
}

# What the SNN config says, its one owner: the schedule, the published twin
# it starts from (load_from) and a digest of the settings a run reads
# (mmsnn.utils.config_digest). The published range is per schedule and
# settings: another loader, lr or augmentation is another recipe. Comments,
# layout, helper variables and which file a value is inherited from leave
# the digest as it is.
read -r snn_epochs published_twin snn_settings < <("$py" - "$snn_config" <<'PY'
import sys
from mmengine.config import Config
from mmsnn.utils.config_digest import settings_digest
cfg = Config.fromfile(sys.argv[1])
print(cfg.train_cfg.max_epochs, cfg.load_from, settings_digest(cfg))
PY
)

if [ "$twin_mode" = train ]; then
  log "training the ANN twin $ann_config (logs in $ann_dir)"
  train_step "$ann_dir" "$ann_config" "${seed_opts[@]}"
  ann_log="$(newest_log "$ann_dir")"
  ann_checkpoint="$(cat "$ann_dir/last_checkpoint")"
  twin_note="trained here, seed $seed"
else
  ann_checkpoint="$published_twin"
  log "the published ANN twin $ann_checkpoint: checking its bytes" \
    "(MMSNN_TWIN=train trains one instead)"
  twin_check="$("$py" tools/model_converters/publish_model.py --check \
    "$ann_checkpoint")"
  echo "$twin_check"
  twin_seed="$(sed -n 's/.*trained for seed \([^,]*\),.*/\1/p' <<< "$twin_check")"
  mkdir -p "$ann_dir/test"
  ann_log="$ann_dir/test/test_output.log"
  twin_note="published $(basename "$ann_checkpoint") (seed $twin_seed), tested here beside the SNN's training"
  # The twin's test needs nothing of the SNN, and the SNN's first seconds
  # (imports, building, compiling its neurons) leave a core idle: the test
  # runs beside them, into its log, shown when the training has ended.
  log "testing the published twin beside the SNN's training (log in $ann_log)"
  "$py" tools/test.py "$ann_config" "$ann_checkpoint" \
    --work-dir "$ann_dir/test" > "$ann_log" 2>&1 &
  twin_test=$!
  # A job stopped before the wait below leaves no test behind.
  trap 'kill "$twin_test" 2>/dev/null || true' EXIT
fi
ann_done=$(stamp)

log "training the SNN $snn_config from $ann_checkpoint (logs in $snn_dir)"
# No validation during training: the test below scores the same checkpoint
# on the same images. mmengine validates after the last epoch whatever
# val_interval says, so the first validated epoch is put past the last.
train_step "$snn_dir" "$snn_config" load_from="$ann_checkpoint" \
  train_cfg.val_begin=1000 "${seed_opts[@]}"
snn_done=$(stamp)
snn_log="$(newest_log "$snn_dir")"
checkpoint="$(cat "$snn_dir/last_checkpoint")"
if [ -n "${twin_test:-}" ]; then
  twin_rc=0
  wait "$twin_test" || twin_rc=$?
  trap - EXIT  # reaped: its pid may belong to another process from now on
  log "the published twin's test (it ran beside the SNN's training):"
  cat "$ann_log"
  [ "$twin_rc" -eq 0 ] || log "WARNING: the twin's test failed (status" \
    "$twin_rc; its log: $ann_log)"
fi

log "testing $checkpoint"
mkdir -p "$snn_dir/test"
rm -rf "$show_dir"
"$py" tools/test.py "$snn_config" "$checkpoint" --work-dir "$snn_dir/test" \
  --show-dir "$show_dir" 2>&1 | tee "$snn_dir/test/test_output.log"
# mmdet names each picture after its JPEG image; keep them as PNG instead.
"$py" - "$show_dir" <<'PY'
import glob, os, sys
import cv2
for path in glob.glob(os.path.join(sys.argv[1], '*.jpg')):
    cv2.imwrite(path[:-4] + '.png', cv2.imread(path))
    os.remove(path)
PY
test_done=$(stamp)
snn_map="$(last_map "$snn_dir/test/test_output.log")"
ann_map="$(last_map "$ann_log")"
# "0.612 (published: ...)" from the results file the seed runs wrote.
published() { "$py" - "$results" "$1" "$snn_epochs" "$snn_settings" <<'PY'
import json, sys
path, key, epochs, settings = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4]
try:
    with open(path) as f:
        entry = json.load(f)[key]
    # The twin's test does not depend on the SNN's recipe; the SNN's does.
    other = ''
    if key == 'snn' and entry.get('snn_epochs') not in (None, epochs):
        other = (f"; for {entry['snn_epochs']} SNN epochs, not this run's "
                 f'{epochs}: not comparable')
    elif key == 'snn' and entry.get('snn_settings') not in (None, settings):
        other = (f"; for SNN settings {entry['snn_settings']}, not this "
                 f"run's {settings}: not comparable")
    print(f"published: {entry['mean']:.3f} +- {entry['std']:.3f} (mean +- "
          f"std; {min(entry['maps']):.3f}-{max(entry['maps']):.3f} over "
          f"seeds {entry['seeds']}, {path}{other})")
except (OSError, KeyError, TypeError, ValueError):
    print(f'no published range yet in {path}')
PY
}

cat <<EOF

=== main job done: SNN-YOLOv3 T=4 on mini-VOC (synthetic, not PASCAL VOC) ===
data:            $data_dir/VOCdevkit/MiniVOC
ANN twin log:    $ann_log
SNN log:         $snn_log
SNN checkpoint:  $checkpoint
SNN test log:    $snn_dir/test/test_output.log
detections:      $show_dir ($(ls "$show_dir" 2>/dev/null | wc -l) PNG pictures: ground truth left, detections right)
ANN twin:        $twin_note
SNN schedule:    $snn_epochs epochs ($snn_config, settings $snn_settings) from the ANN twin
seed:            $seed of the SNN$( [ "$twin_mode" = train ] && echo " and the twin") ($OMP_NUM_THREADS threads, CPU kernels ${ATEN_CPU_CAPABILITY:-default}); data $data_note
times:           data $((data_done - start)) s, ANN twin $((ann_done - data_done)) s, SNN $((snn_done - ann_done)) s, test + pictures $((test_done - snn_done)) s, total $((test_done - start)) s (set-up excluded$resumed$( [ -n "${twin_test:-}" ] && echo "; the twin's test ran within the SNN's time"); budget 900 s)
ANN twin mAP:    ${ann_map:-not found, see $ann_log} ($( [ "$twin_mode" = train ] && echo "its validation after training" || echo "its test here"); $(published ann_twin))
final SNN mAP:   ${snn_map:-not found, see the test log} (VOC mAP@0.5, 11 points, mini-VOC test split; $(published snn))
EOF
