#!/usr/bin/env bash
# The workflow comparison with both sides warmed up alike: DBOS-on-PostgreSQL (the peer of ../shared/peers, built
# and started by its compare.sh first) with 3,000 sequential warm-up workflows instead of compare.sh's 100, alternating
# with `bench workflow --store lmdb` (which warms up with 30,000 workflows by default). Usage, from the project root:
#   ../shared/peers/compare.sh 0        # builds the peers and starts PostgreSQL, runs nothing
#   scripts/compare-warm.sh [rounds] [dbos warm-up]
set -u
WORK=${PEERS_WORK:-/tmp/raftoral-peers}; JAR=${JAR:-demo/target/raftoral-node.jar}
ROUNDS=${1:-3}; DBOS_WARMUP=${2:-3000}
[ -f "$WORK/dbos/.built" ] || { echo "run ../shared/peers/compare.sh 0 first (builds DBOS, starts PostgreSQL)" >&2; exit 2; }
[ -f "$JAR" ] || { echo "build the project first: mvn -B -q install -DskipTests" >&2; exit 2; }
for r in $(seq 1 "$ROUNDS"); do
  echo "## round $r"
  (cd "$WORK/dbos" && java -cp 'target/classes:target/dependency/*' bench.DbosBench default 200 2000 32 "$DBOS_WARMUP" 2>&1 \
    | grep -E "^SEQ|^TPUT" | sed "s/^/dbos (warm-up $DBOS_WARMUP): /")
  java -jar "$JAR" bench workflow --store lmdb 2>&1 | grep -E "start-to-result over|throughput" | sed 's/^ */raftoral workflow: /'
done
