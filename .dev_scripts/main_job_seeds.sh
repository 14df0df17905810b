#!/usr/bin/env bash
# Run the main job for several seeds and write the published range.
#
#   bash .dev_scripts/main_job_seeds.sh [--parallel] [NUM_SEEDS]   # default 3: seeds 0..2
#   bash .dev_scripts/main_job_seeds.sh --collect [--parallel] NUM_SEEDS
#                    # only write the file from the logs of runs already made
#
# Each seed runs `MMSNN_SEED=s MMSNN_WORK_DIR=work_dirs/seeds/seed<s> bash
# tools/run_main_job.sh` (log: work_dirs/seeds/seed<s>.log), one after the
# other (the CPU is the limit), or with --parallel all at once: the mAPs are
# the same (each run keeps the main job's thread count and kernels; OpenMP's
# idle threads sleep instead of spinning, OMP_WAIT_POLICY=PASSIVE, which
# changes no result), the step times are not a run alone's, and the record
# says so ("parallel": true). Then configs/mini_voc/results.json gets, for
# the ANN twin and the SNN, every seed's mAP, their mean and sample standard
# deviation, and each run's step times and machine (CPU model, cores), which
# the main job prints its mAP beside and the README's tables quote. Runs
# already in the file for other machines are kept: each entry says where it
# ran, and the range is over all of them of one recipe: the same kind of
# ANN twin (the published one, the main job's default, so that the seed
# varies only the SNN's training, or with MMSNN_TWIN=train in the
# environment one trained per seed), the same SNN epochs and the same SNN
# settings (the digest the job prints of the SNN config's values).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
parallel=0 collect=0
[ "${1:-}" = "--collect" ] && { collect=1; shift; }
[ "${1:-}" = "--parallel" ] && { parallel=1; shift; }
num="${1:-3}"
case "$num" in ''|*[!0-9]*|0) echo "main_job_seeds: NUM_SEEDS must be a positive integer, got '$num'" >&2; exit 2 ;; esac
mkdir -p work_dirs/seeds
run_seed() {
  MMSNN_SEED=$1 MMSNN_WORK_DIR="work_dirs/seeds/seed$1" \
    bash tools/run_main_job.sh > "work_dirs/seeds/seed$1.log" 2>&1
}
pids=()
for ((seed = 0; collect == 0 && seed < num; seed++)); do
  echo "[main_job_seeds] seed $seed -> work_dirs/seeds/seed$seed.log" >&2
  if [ "$parallel" = 1 ]; then
    OMP_WAIT_POLICY=PASSIVE run_seed "$seed" &
    pids+=($!)
  else
    run_seed "$seed"
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
py="$(bash tools/setup_env.sh | tail -n 1)"
"$py" - "$num" configs/mini_voc/results.json "$parallel" <<'PY'
import datetime, json, os, platform, re, statistics, sys

num, path, parallel = int(sys.argv[1]), sys.argv[2], sys.argv[3] == '1'
try:
    with open(path) as f:
        results = json.load(f)
except (OSError, ValueError):
    results = {}
cpu = platform.processor() or platform.machine()
try:
    with open('/proc/cpuinfo') as f:
        cpu = re.search(r'model name\s*:\s*(.*)', f.read()).group(1)
except (OSError, AttributeError):
    pass
machine = f'{cpu}, {os.cpu_count()} cores'


def twin_of(log):
    """'published <file>' or 'trained': where the SNN started from."""
    note = re.search(r'^ANN twin:\s+(.*)$', log, re.M)
    if note is None or note.group(1).startswith('trained'):
        return 'trained'
    return note.group(1).split(' (')[0]


def schedule_of(log):
    """The SNN's epochs, as the main job printed them (None before it did)."""
    match = re.search(r'^SNN schedule:\s+(\d+) epochs', log, re.M)
    return int(match.group(1)) if match else None


def settings_of(log):
    """The digest of the SNN config's settings (None before it was printed)."""
    match = re.search(r'^SNN schedule:.*, settings ([0-9a-f]+)\)', log, re.M)
    return match.group(1) if match else None


logs = []
for seed in range(num):
    with open(f'work_dirs/seeds/seed{seed}.log') as f:
        logs.append(f.read())
twin, snn_epochs = twin_of(logs[0]), schedule_of(logs[0])
snn_settings = settings_of(logs[0])
# A range mixes only runs that started from the same kind of twin (runs
# before the published twin have no 'twin' and trained theirs) and trained
# the SNN as long with the same settings: other runs leave the file (git
# history keeps them).
runs = [r for r in results.get('runs', [])
        if r['machine'] != machine and r.get('twin', 'trained') == twin
        and r.get('snn_epochs') == snn_epochs
        and r.get('snn_settings') == snn_settings]
for seed, log in enumerate(logs):
    run = dict(seed=seed, machine=machine, twin=twin_of(log),
               snn_epochs=schedule_of(log), snn_settings=settings_of(log),
               date=datetime.date.today().isoformat(),
               data_matches_manifest='BYTES DIFFER' not in log,
               parallel=parallel)
    for key, label in (('ann_twin', 'ANN twin mAP'), ('snn', 'final SNN mAP')):
        run[key] = float(re.search(label + r':\s+([0-9.]+)', log).group(1))
    times = re.search(r'times:\s+(.*)', log).group(1)
    # "data 12 s, ANN twin 301 s, ..., total 730 s (set-up excluded)"
    run['times_s'] = {k.strip(): int(v) for k, v in
                      re.findall(r'([A-Za-z+ ]+) (\d+) s\b', times)
                      if k.strip() != 'budget'}
    runs.append(run)
results['runs'] = runs
for key in ('ann_twin', 'snn'):
    maps = [r[key] for r in runs]
    results[key] = dict(
        seeds=sorted({r['seed'] for r in runs}), maps=maps, twin=twin,
        snn_epochs=snn_epochs, snn_settings=snn_settings,
        mean=round(statistics.mean(maps), 4),
        std=round(statistics.stdev(maps), 4) if len(maps) > 1 else 0.0)
with open(path, 'w') as f:
    json.dump(results, f, indent=2)
    f.write('\n')
for key in ('ann_twin', 'snn'):
    e = results[key]
    print(f"{key}: {e['mean']:.3f} +- {e['std']:.3f} over {len(e['maps'])} runs {e['maps']}")
print(f'written to {path}')
PY
