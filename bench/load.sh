#!/usr/bin/env bash
# Load test (not part of the test command: it takes tens of minutes; figures go to
# docs/benchmarks.md): an MLflow server with MODELS x VERSIONS (default 10,000 x 10 = 100,000
# versions); then `countersign sync`, a second sync, `verify --all` and the portfolio report in
# PDF, each with wall time and peak RSS, and a check that the store holds every model.
# Usage: bench/load.sh [MODELS] [VERSIONS]   (needs scripts/install-test-deps.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=${1:-10000}; VERSIONS=${2:-10}
PY=$ROOT/.venv-mlflow/bin/python
cargo build --release -q -p countersign
BIN=$ROOT/target/release/countersign
DIR=$(mktemp -d -t countersign-load.XXXXXX)
echo "seeding $MODELS x $VERSIONS into $DIR"
"$PY" bench/seed_load.py "$DIR/mlflow.db" "$DIR/artifacts" "$MODELS" "$VERSIONS"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$DIR" && exec setsid "$ROOT/.venv-mlflow/bin/mlflow" server --host 127.0.0.1 --port "$port" \
   --backend-store-uri "sqlite:///$DIR/mlflow.db" --artifacts-destination "$DIR/artifacts" > "$DIR/server.log" 2>&1 < /dev/null) &
PID=$!
trap 'kill -- -$PID 2>/dev/null || true' EXIT
URI=http://127.0.0.1:$port
until curl -fsS "$URI/health" >/dev/null 2>&1; do sleep 0.5; done
DATA=$(mktemp -d)
m() { COUNTERSIGN_DATA_DIR=$DATA COUNTERSIGN_HTTP_TIMEOUT=300 "$PY" bench/measure.py "$BIN" --platform "$URI" "$@"; }
read -r S1 R1 < <(m sync --quiet)
read -r S2 R2 < <(m sync --quiet)
read -r S3 R3 < <(m verify --all)
read -r S4 R4 < <(m export inventory --output "$DATA/portfolio.pdf")
N=$(COUNTERSIGN_DATA_DIR=$DATA "$BIN" --platform "$URI" ls --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["models"]))')
[ "$N" = "$MODELS" ] || { echo "the store holds $N models, expected $MODELS" >&2; exit 1; }
qpdf --check "$DATA/portfolio.pdf" >/dev/null
printf '\n%s models x %s versions (%s versions), MLflow %s, 4 workers\n' "$MODELS" "$VERSIONS" "$((MODELS * VERSIONS))" "$("$PY" -c 'import mlflow; print(mlflow.__version__)')"
printf '| step | seconds | peak RSS (MB) |\n|---|---|---|\n'
printf '| sync (first, full) | %s | %s |\n' "$S1" "$R1"
printf '| sync (nothing changed) | %s | %s |\n' "$S2" "$R2"
printf '| verify --all | %s | %s |\n' "$S3" "$R3"
printf '| export inventory (PDF, %s models) | %s | %s |\n' "$MODELS" "$S4" "$R4"
rm -rf "$DATA"
