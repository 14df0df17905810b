#!/usr/bin/env bash
# Distributed training, mmdet's interface:
#   bash tools/dist_train.sh CONFIG NUM_PROCS [train.py arguments...]
# One process per GPU with CUDA (NCCL); without CUDA, NUM_PROCS CPU processes
# (gloo, started by tools/train.py: mmsnn.engine.setup_distributed).
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT, as in mmdet
# (torchrun's --nnodes, --node_rank, --master_addr, --master_port).
# PYTHON: the interpreter (default: python).
set -eu
if [ "$#" -lt 2 ]; then
  echo "usage: bash tools/dist_train.sh CONFIG NUM_PROCS [train.py arguments...]" >&2
  exit 2
fi
here="$(dirname "$0")"
exec bash "$here/dist_launch.sh" "$2" "$here/train.py" "$1" "${@:3}"
