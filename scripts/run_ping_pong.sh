#!/usr/bin/env bash
# Runs ping_pong v1 on a running node over gRPC: start asynchronously, then wait. Usage: run_ping_pong.sh [HOST:PORT]
source "$(dirname "$0")/lib.sh"
ADDRESS="${1:-127.0.0.1:7001}"
ensure_jar
echo "=== Running ping_pong workflow via gRPC ==="
echo "Node address: $ADDRESS"
echo "Workflow: ping_pong (v1)"
echo 'Input: "ping"'
echo
echo "Step 1: Starting workflow asynchronously..."
STARTED="$(java -jar "$JAR" client --transport grpc --address "$ADDRESS" run --workflow ping_pong --input '"ping"')"
echo "$STARTED"
ID="$(echo "$STARTED" | sed -n 's/.*"workflow_id" : "\([^"]*\)".*/\1/p')"
CLUSTER="$(echo "$STARTED" | sed -n 's/.*"execution_cluster_id" : "\([^"]*\)".*/\1/p')"
echo
echo "Step 2: Waiting for workflow completion..."
echo "Workflow ID: $ID"
echo "Execution Cluster ID: $CLUSTER"
echo
java -jar "$JAR" client --transport grpc --address "$ADDRESS" wait --workflow-id "$ID" --execution-cluster-id "$CLUSTER"
echo
echo "Done!"
