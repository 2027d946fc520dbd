#!/usr/bin/env bash
# Runs ping_pong v1 on a running node over the HTTP API, with the quickstart's curl calls when curl is installed
# (else through the node jar's client). Usage: run_ping_pong_http.sh [HOST:PORT]
source "$(dirname "$0")/lib.sh"
ADDRESS="${1:-127.0.0.1:7001}"
echo "=== Running ping_pong workflow via HTTP REST API ==="
echo
echo "Node address: $ADDRESS"
echo "Workflow: ping_pong (v1)"
echo 'Input: "ping"'
echo
echo "Step 1: Starting workflow asynchronously..."
if command -v curl >/dev/null 2>&1; then
  STARTED="$(curl -sS -X POST "http://$ADDRESS/workflow/execute" -H "Content-Type: application/json" \
    -d '{"name": "ping_pong", "version": 1, "input": "\"ping\""}')"
  echo "$STARTED"
  ID="$(echo "$STARTED" | sed -n 's/.*"workflow_id" *: *"\([^"]*\)".*/\1/p')"
  CLUSTER="$(echo "$STARTED" | sed -n 's/.*"execution_cluster_id" *: *"\([^"]*\)".*/\1/p')"
  echo
  echo "Step 2: Waiting for workflow completion..."
  echo "Workflow ID: $ID"
  echo "Execution Cluster ID: $CLUSTER"
  echo
  curl -sS "http://$ADDRESS/workflow/wait?workflow_id=$ID&execution_cluster_id=$CLUSTER&timeout_seconds=30"
  echo
else
  ensure_jar
  client --address "$ADDRESS" run --workflow ping_pong --input '"ping"' --wait
fi
echo
echo "Done!"
