#!/usr/bin/env bash
# Distributed testing, mmdet's interface:
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py arguments...]
# One process per GPU with CUDA (NCCL); without CUDA, NUM_PROCS CPU processes
# (gloo, started by tools/test.py: mmsnn.engine.setup_distributed). The
# metric is that of a single-process test (tests/test_tools/test_dist_train.py).
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT, as in mmdet.
# PYTHON: the interpreter (default: python).
set -eu
if [ "$#" -lt 3 ]; then
  echo "usage: bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py arguments...]" >&2
  exit 2
fi
here="$(dirname "$0")"
exec bash "$here/dist_launch.sh" "$3" "$here/test.py" "$1" "$2" "${@:4}"
