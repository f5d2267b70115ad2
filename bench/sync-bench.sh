#!/usr/bin/env bash
# Benchmark of `countersign sync` against a real MLflow server (not a test: prints figures).
# Seeds MODELS x VERSIONS (default 1000 x 5) through MLflow's store classes, then for each
# server measures:
#   (a) countersign sync, full, into an empty store: wall time and peak RSS
#   (c) the floor: the minimal bulk requests, one after another with curl
#       (a) and (c) as three interleaved pairs (floor, then sync), so that both see the same
#       machine; the ratio reported is the median of the pairs' ratios
#   (s) the server's own CPU time (every process of its group: workers and, for PostgreSQL,
#       the database) for one floor pass: over two cores, the physical limit of a sync here
#   (b) MLflow's Python MlflowClient, naive pull (search models, search versions, get_run each)
#   (d) countersign sync again with nothing changed: wall time, runs fetched
# Servers: BACKEND=sqlite (default): MLflow's default 4 workers and --workers 1;
#          BACKEND=postgresql: MLflow over PostgreSQL (tests/mlflow/start-server.sh), 4 workers.
# Usage: [BACKEND=postgresql] bench/sync-bench.sh [MODELS] [VERSIONS]
#        (needs scripts/install-test-deps.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=${1:-1000}; VERSIONS=${2:-5}
BACKEND=${BACKEND:-sqlite}
PY=$ROOT/.venv-mlflow/bin/python
command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
cargo build --release -q -p countersign
BIN=$ROOT/target/release/countersign

# CPU seconds (user + system, with reaped children) of every process in group $1.
group_cpu() {
  local hz total=0 pid
  hz=$(getconf CLK_TCK)
  for pid in $(ps -o pid= -g "$1"); do
    # Fields 14-17 of /proc/PID/stat: utime stime cutime cstime (the name, field 2, may hold
    # spaces: cut after its closing parenthesis).
    if [ -r "/proc/$pid/stat" ]; then
      total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13 + $14 + $15}')))
    fi
  done
  echo "scale=2; $total / $hz" | bc -l
}

warm() { # Every uvicorn worker imports lazily on its first requests of a kind.
  bash bench/floor.sh "$URI" "$PY" >/dev/null
  bash bench/floor.sh "$URI" "$PY" >/dev/null
  local w; w=$(mktemp -d)
  COUNTERSIGN_DATA_DIR=$w "$BIN" --platform "$URI" sync --quiet >/dev/null
  rm -rf "$w"
}

case "$BACKEND" in
  sqlite)
    DIR=$(mktemp -d -t countersign-bench.XXXXXX)
    echo "seeding $MODELS x $VERSIONS into $DIR"
    "$PY" bench/seed_bulk.py "$DIR/mlflow.db" "$DIR/artifacts" "$MODELS" "$VERSIONS"
    SERVERS="4 1"
    ;;
  postgresql)
    SERVERS="4"
    ;;
  *) echo "BACKEND is sqlite or postgresql" >&2; exit 2 ;;
esac

start() { # WORKERS -> sets URI, PID
  if [ "$BACKEND" = postgresql ]; then
    read -r URI PID PGDIR < <(MLFLOW_BACKEND=postgresql bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow" "$1")
    echo "seeding $MODELS x $VERSIONS into $(cat "$PGDIR/backend_uri")"
    "$PY" bench/seed_bulk.py "$(cat "$PGDIR/backend_uri")" "$PGDIR/artifacts" "$MODELS" "$VERSIONS"
  else
    local port
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    (cd "$DIR" && exec setsid "$ROOT/.venv-mlflow/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers "$1" \
       --backend-store-uri "sqlite:///$DIR/mlflow.db" --artifacts-destination "$DIR/artifacts" > "$DIR/server-$1.log" 2>&1 < /dev/null) &
    PID=$!
    URI=http://127.0.0.1:$port
    until curl -fsS "$URI/health" >/dev/null 2>&1; do sleep 0.5; done
  fi
  warm
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

for WORKERS in $SERVERS; do
  start "$WORKERS"
  PAIRS=(); SYNCS=(); FLOORS=(); RSS=()
  for i in 1 2 3; do
    read -r C_S C_N < <(bash bench/floor.sh "$URI" "$PY")
    DATA=$(mktemp -d)
    read -r A_S A_RSS < <(COUNTERSIGN_DATA_DIR=$DATA "$PY" bench/measure.py "$BIN" --platform "$URI" sync --quiet)
    [ "$i" = 3 ] || rm -rf "$DATA"
    PAIRS+=("$(echo "scale=3; $A_S / $C_S" | bc -l)"); SYNCS+=("$A_S"); FLOORS+=("$C_S"); RSS+=("$A_RSS")
    printf 'pair %s: floor %s s, sync %s s (%s MB): %s\n' "$i" "$C_S" "$A_S" "$A_RSS" "${PAIRS[-1]}"
  done
  CPU0=$(group_cpu "$PID"); bash bench/floor.sh "$URI" "$PY" >/dev/null; CPU1=$(group_cpu "$PID")
  S_CPU=$(echo "$CPU1 - $CPU0" | bc -l)
  read -r D_S D_RSS < <(COUNTERSIGN_DATA_DIR=$DATA "$PY" bench/measure.py "$BIN" --platform "$URI" sync --quiet)
  D_RUNS=$(COUNTERSIGN_DATA_DIR=$DATA "$BIN" --platform "$URI" sync --quiet --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["runs_fetched"])')
  rm -rf "$DATA"
  read -r B_S B_RSS < <("$PY" bench/measure.py "$PY" bench/naive_pull.py "$URI")
  kill -- "-$PID"; wait "$PID" 2>/dev/null || true
  A_MED=$(median "${SYNCS[@]}"); C_MED=$(median "${FLOORS[@]}")
  printf '\nserver: %s, uvicorn, %s worker(s); %s models x %s versions\n' "$BACKEND" "$WORKERS" "$MODELS" "$VERSIONS"
  printf '| measure | seconds | notes |\n|---|---|---|\n'
  printf '| (a) countersign sync, full (median of 3) | %s | peak RSS %s MB; runs %s |\n' "$A_MED" "$(median "${RSS[@]}")" "${SYNCS[*]}"
  printf '| (c) floor: %s bulk requests with curl (median of 3) | %s | runs %s |\n' "$C_N" "$C_MED" "${FLOORS[*]}"
  printf '| (s) the server'"'"'s CPU for one floor pass | %s | /2 cores = %s s |\n' "$S_CPU" "$(echo "scale=2; $S_CPU / 2" | bc -l)"
  printf '| (b) MlflowClient naive pull | %s | |\n' "$B_S"
  printf '| (d) countersign sync, nothing changed | %s | runs fetched: %s |\n' "$D_S" "$D_RUNS"
  printf 'ratios: (a)/(c) median of pairs = %s (pairs %s); (b)/(a) = %.1f\n' "$(median "${PAIRS[@]}")" "${PAIRS[*]}" "$(echo "$B_S / $A_MED" | bc -l)"
done
[ -z "${DIR:-}" ] || rm -rf "$DIR"
