#!/usr/bin/env bash
# Runs the benchmarks (3 nodes in one JVM each): Raft runtime and workflows on in-memory and LMDB stores, and the
# raw LMDB store. Usage: bench.sh [runtime|workflow|store|all]
source "$(dirname "$0")/lib.sh"
WHAT="${1:-all}"
ensure_jar
run() { echo; echo "### bench $*"; java -jar "$JAR" bench "$@"; }
case "$WHAT" in
  runtime) run runtime; run runtime --store lmdb ;;
  workflow) run workflow; run workflow --store lmdb; run workflow --store lmdb --steps checkpoint; run workflow --store lmdb --steps checkpoint --pipelining false ;;
  store) run store ;;
  all) run runtime; run runtime --store lmdb; run workflow; run workflow --store lmdb; run store ;;
  *) echo "usage: $0 [runtime|workflow|store|all]" >&2; exit 2 ;;
esac
