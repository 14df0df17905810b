#!/usr/bin/env bash
# The torchrun call behind tools/dist_train.sh and tools/dist_test.sh:
#   bash tools/dist_launch.sh NUM_PROCS SCRIPT [SCRIPT arguments...]
# starts NUM_PROCS processes of SCRIPT per machine with --launcher pytorch.
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT, as in mmdet
# (torchrun's --nnodes, --node_rank, --master_addr, --master_port).
# PYTHON: the interpreter (default: python).
set -eu
NPROCS=$1
SCRIPT=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
here="$(dirname "$0")"

# dist_run.py is torchrun (torch.distributed.run; torch.distributed.launch is
# deprecated), with a Ctrl-C or SIGTERM stop ending in one line and status
# 128 + signal; torchrun passes LOCAL_RANK through the environment.
PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PYTHON" "$here/dist_run.py" \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROCS" \
    --master_port="$PORT" \
    "$SCRIPT" "${@:3}" --launcher pytorch
