# Shared helpers of the scripts (sourced, not run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/demo/target/raftoral-node.jar"
PIDS=()

ensure_jar() {
  if [[ ! -f "$JAR" ]]; then
    echo "Building $JAR (first run only)..." >&2
    (cd "$ROOT" && mvn -B -q install -DskipTests) >&2
  fi
}

# start_node LOGFILE ARGS... : starts a node in the background, remembers its pid in PIDS and LAST_PID
start_node() {
  local log="$1"; shift
  java -jar "$JAR" "$@" >"$log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# wait_healthy HOST:PORT [SECONDS] : polls GET /health until it answers 200
wait_healthy() {
  local address="$1" deadline=$((SECONDS + ${2:-60}))
  until java_health "$address"; do
    if (( SECONDS > deadline )); then
      echo "node at $address did not become healthy" >&2
      return 1
    fi
    sleep 0.5
  done
}

java_health() {
  if command -v curl >/dev/null 2>&1; then
    curl -sf "http://$1/health" >/dev/null
  else
    (exec 3<>"/dev/tcp/${1%:*}/${1#*:}" && printf 'GET /health HTTP/1.0\r\n\r\n' >&3 && head -1 <&3 | grep -q " 200 ") \
      2>/dev/null
  fi
}

client() {
  java -jar "$JAR" client "$@"
}

stop_nodes() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
}
