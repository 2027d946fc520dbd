#!/usr/bin/env bash
# Starts a bootstrap node and a joining node, checks that the cluster forms (both healthy, the second node has its
# own id and a place), runs ping_pong through the joining node and checks the result. Exits non-zero on failure.
# Usage: test_two_node_cluster.sh [grpc|http]
source "$(dirname "$0")/lib.sh"
TRANSPORT="${1:-grpc}"
ensure_jar
DATA="$(mktemp -d -t raftoral-2node.XXXXXX)"
trap 'stop_nodes; rm -rf "$DATA"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- node 1 log ---" >&2; tail -30 "$DATA/node-1.log" >&2; echo "--- node 2 log ---" >&2; tail -30 "$DATA/node-2.log" >&2; exit 1; }

start_node "$DATA/node-1.log" --transport "$TRANSPORT" --listen 127.0.0.1:7101 --bootstrap
wait_healthy 127.0.0.1:7101 || fail "bootstrap node not healthy"
start_node "$DATA/node-2.log" --transport "$TRANSPORT" --listen 127.0.0.1:7102 --peers 127.0.0.1:7101
wait_healthy 127.0.0.1:7102 || fail "joining node not healthy"
grep -q "Node 2 is ready" "$DATA/node-2.log" || fail "the joining node did not get id 2"

OUT="$(client --address 127.0.0.1:7102 run --workflow ping_pong --input '"ping"' --wait)" || fail "ping_pong failed: $OUT"
echo "$OUT"
echo "$OUT" | grep -q '"result" : "\\"pong\\""' || fail "unexpected result: $OUT"
OUT="$(client --address 127.0.0.1:7101 run --workflow ping_pong --input '"nope"' --wait)" && fail "bad input succeeded"
echo "$OUT" | grep -q 'ping_pong expects the input' || fail "unclear error for bad input: $OUT"
echo "PASS: two-node cluster formed and ran ping_pong"
