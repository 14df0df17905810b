#!/usr/bin/env bash
# The main job: SNN-YOLOv3 (T=4) on the bundled mini-VOC data set, on a CPU.
#
#   bash tools/run_main_job.sh
#
# In order:
#   1. set up the environment (tools/setup_env.sh, idempotent);
#   2. write mini-VOC to data/mini_voc unless this generator version already
#      did (tools/misc/make_mini_voc.py --if-outdated);
#   3. train the ANN twin (configs/mini_voc/yolov3_minivoc.py), whose
#      validation at the end is the ANN row of the README's table;
#   4. train the SNN (configs/mini_voc/snn_yolov3_minivoc_t4.py) initialised
#      from the ANN twin's weights, as the authors initialise SNN-YOLOv3 from
#      an ANN YOLOv3 (same module names, so the weights load one to one);
#   5. evaluate the SNN's final checkpoint on the mini-VOC test split
#      (tools/test.py, VOC mAP@0.5) and paint its detections on every test
#      image;
#   6. print where everything went, both mAPs and the time of each step.
#
# Outputs:
#   work_dirs/yolov3_minivoc/               the ANN twin's logs and checkpoint
#   work_dirs/snn_yolov3_minivoc_t4/        the SNN's logs and checkpoint
#   work_dirs/snn_yolov3_minivoc_t4/test/   the SNN's test log and metrics
#   work_dirs/snn_yolov3_minivoc_t4/detections/
#                                           one PNG per test image: ground
#                                           truth (left) beside detections
#                                           scoring >= 0.3 (right)
#
# mini-VOC is synthetic: its mAP is not a PASCAL VOC result. On a busy
# machine, OMP_NUM_THREADS=1 avoids threads waiting on each other.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$#" -gt 0 ]; then
  echo "run_main_job: takes no arguments (got: $*); to train one config," \
    "run python tools/train.py CONFIG" >&2
  exit 2
fi
ann_config=configs/mini_voc/yolov3_minivoc.py
snn_config=configs/mini_voc/snn_yolov3_minivoc_t4.py
ann_dir=work_dirs/yolov3_minivoc
snn_dir=work_dirs/snn_yolov3_minivoc_t4
data_dir=data/mini_voc
show_dir="$PWD/$snn_dir/detections"
log() { echo "[main_job] $*" >&2; }
stamp() { date +%s; }
newest_log() { ls -t "$1"/*/*.log 2>/dev/null | head -n 1; }
last_map() { grep -o 'pascal_voc/mAP: [0-9.]*' "$1" | tail -n 1 | cut -d' ' -f2; }

py="$(bash tools/setup_env.sh | tail -n 1)"
start=$(stamp)

log "mini-VOC in $data_dir"
"$py" tools/misc/make_mini_voc.py --out "$data_dir" --if-outdated
data_done=$(stamp)

log "training the ANN twin $ann_config (logs in $ann_dir)"
"$py" tools/train.py "$ann_config" --work-dir "$ann_dir"
ann_done=$(stamp)
ann_log="$(newest_log "$ann_dir")"
ann_checkpoint="$(cat "$ann_dir/last_checkpoint")"

log "training the SNN $snn_config from $ann_checkpoint (logs in $snn_dir)"
"$py" tools/train.py "$snn_config" --work-dir "$snn_dir" \
  --cfg-options load_from="$ann_checkpoint"
snn_done=$(stamp)
snn_log="$(newest_log "$snn_dir")"
checkpoint="$(cat "$snn_dir/last_checkpoint")"

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

cat <<EOF

=== main job done: SNN-YOLOv3 T=4 on mini-VOC (synthetic, not PASCAL VOC) ===
data:            $data_dir/VOCdevkit/MiniVOC
ANN twin log:    $ann_log
SNN log:         $snn_log
SNN checkpoint:  $checkpoint
SNN test log:    $snn_dir/test/test_output.log
detections:      $show_dir ($(ls "$show_dir" 2>/dev/null | wc -l) PNG pictures: ground truth left, detections right)
times:           data $((data_done - start)) s, ANN twin $((ann_done - data_done)) s, SNN $((snn_done - ann_done)) s, test + pictures $((test_done - snn_done)) s, total $((test_done - start)) s (set-up excluded)
ANN twin mAP:    ${ann_map:-not found, see $ann_log} (its validation after training)
final SNN mAP:   ${snn_map:-not found, see the test log} (VOC mAP@0.5, 11 points, mini-VOC test split)
EOF
