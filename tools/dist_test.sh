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
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
here="$(dirname "$0")"

PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$here/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch \
    "${@:4}"
