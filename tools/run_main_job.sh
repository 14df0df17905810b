#!/usr/bin/env bash
# The main job: SNN-YOLOv3 (T=4) on the bundled mini-VOC data set, on a CPU.
#
#   bash tools/run_main_job.sh [CONFIG]
#
# In order: set up the environment (tools/setup_env.sh, idempotent), write
# mini-VOC to data/mini_voc unless it is there (tools/misc/make_mini_voc.py),
# train CONFIG with mmengine's logging (tools/train.py), evaluate the final
# checkpoint on the mini-VOC test split (tools/test.py, VOC mAP@0.5) and
# paint its detections on every test image, then print where everything went
# and the final mAP. CONFIG defaults to configs/mini_voc/snn_yolov3_minivoc_t4.py;
# configs/mini_voc/yolov3_minivoc.py runs its ANN twin the same way.
#
# Outputs (NAME = the config's file name without .py):
#   work_dirs/NAME/                  training logs and checkpoint
#   work_dirs/NAME/test/             test log and metrics
#   work_dirs/NAME/detections/       test images, ground truth (left) beside
#                                    detections scoring >= 0.3 (right)
#
# mini-VOC is synthetic: its mAP is not a PASCAL VOC result. On a busy
# machine, OMP_NUM_THREADS=1 avoids threads waiting on each other.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

config="${1:-configs/mini_voc/snn_yolov3_minivoc_t4.py}"
if [ ! -f "$config" ]; then
  echo "run_main_job: config $config does not exist." >&2
  exit 2
fi
name="$(basename "$config" .py)"
work_dir="work_dirs/$name"
data_dir="data/mini_voc"
show_dir="$PWD/$work_dir/detections"
log() { echo "[main_job] $*" >&2; }
stamp() { date +%s; }

py="$(bash tools/setup_env.sh | tail -n 1)"
start=$(stamp)

if [ -f "$data_dir/VOCdevkit/MiniVOC/ImageSets/Main/test.txt" ]; then
  log "mini-VOC found in $data_dir"
else
  log "writing mini-VOC to $data_dir"
  "$py" tools/misc/make_mini_voc.py --out "$data_dir"
fi
data_done=$(stamp)

log "training $config (logs in $work_dir)"
"$py" tools/train.py "$config" --work-dir "$work_dir"
train_done=$(stamp)
train_log="$(ls -t "$work_dir"/*/*.log 2>/dev/null | head -n 1)"
checkpoint="$(cat "$work_dir/last_checkpoint")"

log "testing $checkpoint"
mkdir -p "$work_dir/test"
rm -rf "$show_dir"
"$py" tools/test.py "$config" "$checkpoint" --work-dir "$work_dir/test" \
  --show-dir "$show_dir" 2>&1 | tee "$work_dir/test/test_output.log"
test_done=$(stamp)
map="$(grep -o 'pascal_voc/mAP: [0-9.]*' "$work_dir/test/test_output.log" \
  | tail -n 1 | cut -d' ' -f2)"

cat <<EOF

=== main job done: $name on mini-VOC (synthetic, not PASCAL VOC) ===
data:           $data_dir/VOCdevkit/MiniVOC
training log:   $train_log
checkpoint:     $checkpoint
test log:       $work_dir/test/test_output.log
detections:     $show_dir ($(ls "$show_dir" 2>/dev/null | wc -l) pictures: ground truth left, detections right)
times:          data $((data_done - start)) s, training $((train_done - data_done)) s, test + pictures $((test_done - train_done)) s
final mAP:      ${map:-not found, see the test log} (VOC mAP@0.5, 11 points, mini-VOC test split)
EOF
