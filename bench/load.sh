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
export COUNTERSIGN_DATA_DIR=$DATA COUNTERSIGN_HTTP_TIMEOUT=300
m() { "$PY" bench/measure.py "$BIN" --platform "$URI" "$@"; }
read -r S1 R1 < <(m sync --quiet)
read -r S2 R2 < <(m sync --quiet)
# A validator approves three tier-3 versions (written back to MLflow), so that verify --all has
# real approvals to check among the 100,000 versions.
"$BIN" keys generate "$DATA/vera" --no-passphrase --as vera@bank.example | tail -1 > "$DATA/allowed_signers"
sed '/^\[roster\]/,$d' policies/default.toml > "$DATA/policy.toml"
printf '[roster]\n"vera@bank.example" = ["validator"]\n' >> "$DATA/policy.toml"
export COUNTERSIGN_POLICY=$DATA/policy.toml COUNTERSIGN_ALLOWED_SIGNERS=$DATA/allowed_signers
for m in 00002 00005 00008; do
  v="models:/load-model-$m/$VERSIONS"
  "$BIN" --platform "$URI" review start "$v" --json \
    | "$PY" -c 'import json,sys; [print(i["id"] + "\tpass\tload test") for i in json.load(sys.stdin)["review"]["header"]["items"]]' > "$DATA/answers.tsv"
  "$BIN" --platform "$URI" review apply "$v" "$DATA/answers.tsv" > /dev/null
  "$BIN" --platform "$URI" sign "$v" --role validator --decision approve --key "$DATA/vera" --yes > /dev/null
done
"$BIN" --platform "$URI" sync --quiet
read -r S3 R3 < <(m verify --all)
COUNTED=$("$BIN" --platform "$URI" verify --all --json | "$PY" -c 'import json,sys; print(sum(1 for v in json.load(sys.stdin)["versions"] for a in v["approvals"] if a["counts"]))')
[ "$COUNTED" = 3 ] || { echo "verify --all found $COUNTED approvals that count, expected 3" >&2; exit 1; }
read -r S4 R4 < <(m export inventory --output "$DATA/portfolio.pdf")
N=$("$BIN" --platform "$URI" ls --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["models"]))')
[ "$N" = "$MODELS" ] || { echo "the store holds $N models, expected $MODELS" >&2; exit 1; }
qpdf --check "$DATA/portfolio.pdf" >/dev/null
printf '\n%s models x %s versions (%s versions), MLflow %s, 4 workers\n' "$MODELS" "$VERSIONS" "$((MODELS * VERSIONS))" "$("$PY" -c 'import mlflow; print(mlflow.__version__)')"
printf '| step | seconds | peak RSS (MB) |\n|---|---|---|\n'
printf '| sync (first, full) | %s | %s |\n' "$S1" "$R1"
printf '| sync (nothing changed) | %s | %s |\n' "$S2" "$R2"
printf '| verify --all (3 approvals among %s versions) | %s | %s |\n' "$((MODELS * VERSIONS))" "$S3" "$R3"
printf '| export inventory (PDF, %s models) | %s | %s |\n' "$MODELS" "$S4" "$R4"
rm -rf "$DATA"
