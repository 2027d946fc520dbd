#!/usr/bin/env bash
# Starts a local 3-node cluster (gRPC transport, LMDB storage in a temporary directory), runs ping_pong through
# the third node, prints the result and stops the nodes. Usage: ./scripts/demo.sh [grpc|http]
source "$(dirname "$0")/lib.sh"
TRANSPORT="${1:-grpc}"
ensure_jar
DATA="$(mktemp -d -t raftoral-demo.XXXXXX)"
trap 'stop_nodes; rm -rf "$DATA"' EXIT

echo "Starting 3 nodes ($TRANSPORT transport), storage in $DATA, logs in $DATA/node-*.log"
start_node "$DATA/node-1.log" --transport "$TRANSPORT" --listen 127.0.0.1:7001 --bootstrap --storage-path "$DATA/n1"
wait_healthy 127.0.0.1:7001
start_node "$DATA/node-2.log" --transport "$TRANSPORT" --listen 127.0.0.1:7002 --peers 127.0.0.1:7001 --storage-path "$DATA/n2"
start_node "$DATA/node-3.log" --transport "$TRANSPORT" --listen 127.0.0.1:7003 --peers 127.0.0.1:7001,127.0.0.1:7002 --storage-path "$DATA/n3"
wait_healthy 127.0.0.1:7002
wait_healthy 127.0.0.1:7003

echo "Running ping_pong (input \"ping\") through node 3..."
client --address 127.0.0.1:7003 run --workflow ping_pong --version 1 --input '"ping"' --wait
echo "Done."
