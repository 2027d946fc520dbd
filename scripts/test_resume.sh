#!/usr/bin/env bash
# A node restarted on its --storage-path keeps its id and its workflows: starts a node with storage, starts a
# countdown workflow, kills the node (SIGKILL) mid-way, restarts it on the same storage and checks the workflow
# completes. Exits non-zero on failure. Usage: test_resume.sh [grpc|http]
source "$(dirname "$0")/lib.sh"
TRANSPORT="${1:-grpc}"
ensure_jar
DATA="$(mktemp -d -t raftoral-resume.XXXXXX)"
trap 'stop_nodes; rm -rf "$DATA"' EXIT
fail() { echo "FAIL: $*" >&2; tail -30 "$DATA"/node-*.log >&2; exit 1; }

start_node "$DATA/node-1.log" --transport "$TRANSPORT" --listen 127.0.0.1:7201 --bootstrap --storage-path "$DATA/n1"
wait_healthy 127.0.0.1:7201 || fail "node not healthy"
OUT="$(client --address 127.0.0.1:7201 run --workflow countdown --input 30)" || fail "start failed: $OUT"
ID="$(echo "$OUT" | sed -n 's/.*"workflow_id" : "\([^"]*\)".*/\1/p')"
[[ -n "$ID" ]] || fail "no workflow id in: $OUT"
sleep 1
kill -9 "$LAST_PID"; wait "$LAST_PID" 2>/dev/null || true
echo "killed the node with workflow $ID running; restarting on $DATA/n1"
start_node "$DATA/node-1b.log" --transport "$TRANSPORT" --listen 127.0.0.1:7201 --storage-path "$DATA/n1"
wait_healthy 127.0.0.1:7201 || fail "restarted node not healthy"
grep -q "Node 1 is ready" "$DATA/node-1b.log" || fail "the restarted node did not keep id 1"
OUT="$(client --address 127.0.0.1:7201 --timeout-seconds 60 wait --workflow-id "$ID")" || fail "wait failed: $OUT"
echo "$OUT"
echo "$OUT" | grep -q '"result" : "0"' || fail "unexpected result: $OUT"
echo "PASS: node resumed with its id and finished the workflow"
