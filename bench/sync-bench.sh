#!/usr/bin/env bash
# Benchmark of `countersign sync` against a real MLflow server (not a test: prints figures).
# Seeds MODELS x VERSIONS (default 1000 x 5) through MLflow's store classes, then for a server
# with MLflow's default 4 workers and one with --workers 1 measures:
#   (a) countersign sync, full: wall time and peak RSS
#   (b) MLflow's Python MlflowClient, naive pull (search models, search versions, get_run each)
#   (c) the floor: the minimal bulk requests, one after another with curl
#   (d) countersign sync again with nothing changed: wall time, runs fetched
# Usage: bench/sync-bench.sh [MODELS] [VERSIONS]   (needs scripts/install-test-deps.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=${1:-1000}; VERSIONS=${2:-5}
PY=$ROOT/.venv-mlflow/bin/python
command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
cargo build --release -q -p countersign
BIN=$ROOT/target/release/countersign
DIR=$(mktemp -d -t countersign-bench.XXXXXX)
echo "seeding $MODELS x $VERSIONS into $DIR"
"$PY" bench/seed_bulk.py "$DIR/mlflow.db" "$DIR/artifacts" "$MODELS" "$VERSIONS"

run_server() { # WORKERS -> sets URI, PID
  local port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$DIR" && exec setsid "$ROOT/.venv-mlflow/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers "$1" \
     --backend-store-uri "sqlite:///$DIR/mlflow.db" --artifacts-destination "$DIR/artifacts" > "$DIR/server-$1.log" 2>&1 < /dev/null) &
  PID=$!
  URI=http://127.0.0.1:$port
  until curl -fsS "$URI/health" >/dev/null 2>&1; do sleep 0.5; done
  # Warm every worker up: each uvicorn worker imports lazily on its first requests of a kind.
  bash bench/floor.sh "$URI" "$PY" >/dev/null
  bash bench/floor.sh "$URI" "$PY" >/dev/null
  local warm; warm=$(mktemp -d)
  COUNTERSIGN_DATA_DIR=$warm "$BIN" --platform "$URI" sync --quiet >/dev/null
  rm -rf "$warm"
}

for WORKERS in 4 1; do
  run_server "$WORKERS"
  DATA=$(mktemp -d)
  read -r A_S A_RSS < <(COUNTERSIGN_DATA_DIR=$DATA "$PY" bench/measure.py "$BIN" --platform "$URI" sync --quiet)
  read -r D_S D_RSS < <(COUNTERSIGN_DATA_DIR=$DATA "$PY" bench/measure.py "$BIN" --platform "$URI" sync --quiet)
  D_RUNS=$(COUNTERSIGN_DATA_DIR=$DATA "$BIN" --platform "$URI" sync --quiet --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["runs_fetched"])')
  read -r C_S C_N < <(bash bench/floor.sh "$URI" "$PY")
  read -r B_S B_RSS < <("$PY" bench/measure.py "$PY" bench/naive_pull.py "$URI")
  kill -- "-$PID"; wait "$PID" 2>/dev/null || true
  rm -rf "$DATA"
  printf '\nserver: uvicorn, %s worker(s); %s models x %s versions\n' "$WORKERS" "$MODELS" "$VERSIONS"
  printf '| measure | seconds | notes |\n|---|---|---|\n'
  printf '| (a) countersign sync, full | %s | peak RSS %s MB |\n' "$A_S" "$A_RSS"
  printf '| (b) MlflowClient naive pull | %s | |\n' "$B_S"
  printf '| (c) floor: %s bulk requests with curl | %s | |\n' "$C_N" "$C_S"
  printf '| (d) countersign sync, nothing changed | %s | runs fetched: %s |\n' "$D_S" "$D_RUNS"
  printf 'ratios: (a)/(c) = %.2f; (b)/(a) = %.1f\n' "$(echo "$A_S / $C_S" | bc -l)" "$(echo "$B_S / $A_S" | bc -l)"
done
rm -rf "$DIR"
