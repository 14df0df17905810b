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
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
here="$(dirname "$0")"

# torch.distributed.run is torchrun (torch.distributed.launch is deprecated);
# it passes LOCAL_RANK through the environment.
PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$here/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
