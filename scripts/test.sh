#!/usr/bin/env bash
# Installs what the tests need (scripts/install-test-deps.sh) and runs every test:
#   lint (rustfmt, clippy -D warnings), the core/UI dependency rule, unit and snapshot tests,
#   the UI's type check and Vitest tests, the TypeScript bindings drift check, a short fuzz run,
#   then end-to-end tests against real MLflow servers (started and seeded here: SQLite-backed,
#   basic-auth, MLflow 2.x, and PostgreSQL-backed with the default 4 workers), a real
#   terminal (tmux) and a real desktop window (Xvfb + tauri-driver + WebKitWebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export INSTA_UPDATE=no   # snapshots are compared, never written, here

step() { printf '\n=== %s\n' "$*"; }

step "Installing test dependencies"
bash scripts/install-test-deps.sh

step "Desktop front end (ui/): type check, Vitest unit tests, build"
(cd ui && npm run typecheck --silent && npm test --silent && npm run build --silent)

step "Formatting and lints"
cargo fmt --all -- --check
(cd fuzz && cargo fmt -- --check)
cargo clippy --workspace --all-targets --locked -- -D warnings

step "countersign-core depends on no UI crate"
if cargo tree -p countersign-core -e normal --prefix none --locked | grep -E '^(ratatui|crossterm|tauri|tao|wry) '; then
  echo "countersign-core must not depend on a UI crate" >&2
  exit 1
fi

step "Front ends verify, sign, export and sync only through core's workspace"
# The CLI, the TUI and the desktop make the same calls (countersign_core::workspace::Workspace);
# none assembles verification, signing, an export, a sync, a platform client or the trust
# chain itself, reads the store, drives the review engine or opens keys itself. Test
# fixtures (src-tui/src/tui/tests.rs) build their own stores; the TUI benchmark
# (src-tui/examples/) is not scanned. The same calls are `disallowed-methods` in
# src-tui/clippy.toml and src-tauri/clippy.toml, which clippy checks by type, not by text
# (a call wrapped over lines or imported under another name is caught there).
if grep -rnE 'approval::(verify::verify_version|sign::sign\b|sign::countersigned)|export::audit_pack::(export|gather|write)|export::portfolio::write|sync::sync\(|session::open_platform|\.open_platform\(|platform::(open|mlflow::MlflowClient|folder::FolderPlatform)\b|Trust::(load|from_files)|trust::(sign_local|read_local)|session\.store|\.session\.store|Session::(open|with_store)|review::(start|require_latest|load_latest|policy_of)\(|Evidence::from_store|inventory::(view|statuses|detail)\(|lineage::versions_using_dataset|SigningKey::from_(file|agent)|signing::(generate|fingerprint_of)|queue::(build|timed_triggers|ledger_verdicts)\(|\.(answer|add_finding|update_finding)\(&' \
    src-tui/src src-tauri/src --include='*.rs' | grep -vE '^src-tui/src/tui/tests\.rs:'; then
  echo "a front end calls verification, signing, export, sync or the platform directly: go through countersign_core::workspace::Workspace" >&2
  exit 1
fi

step "Building the binaries"
cargo build --locked -p countersign -p countersign-desktop

step "Unit and snapshot tests"
cargo test --locked -p countersign-core -p countersign
# The UI's TypeScript types are generated from the Rust types; this fails when they drift.
cargo test --locked -p countersign-desktop --test bindings

step "Fuzzing: every target for 20 s from the committed seed corpus (scripts/fuzz.sh)"
bash scripts/fuzz.sh 20

step "Starting a real MLflow server"
read -r MLFLOW_URI MLFLOW_PID MLFLOW_DIR < <(bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow" 1)
SERVERS=("$MLFLOW_PID")   # process groups stopped on exit
cleanup() { for p in "${SERVERS[@]}"; do kill -- "-$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "MLflow at $MLFLOW_URI (pid $MLFLOW_PID, $MLFLOW_DIR)"
MLFLOW_TRACKING_URI=$MLFLOW_URI "$ROOT/.venv-mlflow/bin/python" tests/mlflow/seed.py "$MLFLOW_DIR/manifest.json" \
  > "$MLFLOW_DIR/seed.log" 2>&1 || { cat "$MLFLOW_DIR/seed.log"; exit 1; }
tail -1 "$MLFLOW_DIR/seed.log"
export COUNTERSIGN_TEST_MLFLOW_URI=$MLFLOW_URI
export COUNTERSIGN_TEST_MLFLOW_MANIFEST=$MLFLOW_DIR/manifest.json

step "Starting a second MLflow server: evaluations as mlflow.models.evaluate and mlflow.genai.evaluate link them"
read -r EVAL_URI EVAL_PID EVAL_DIR < <(bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow" 1)
SERVERS+=("$EVAL_PID")
MLFLOW_TRACKING_URI=$EVAL_URI "$ROOT/.venv-mlflow/bin/python" tests/mlflow/seed_evaluations.py "$EVAL_DIR/manifest.json" \
  > "$EVAL_DIR/seed.log" 2>&1 || { cat "$EVAL_DIR/seed.log"; exit 1; }
tail -1 "$EVAL_DIR/seed.log"
export COUNTERSIGN_TEST_MLFLOW_EVAL_URI=$EVAL_URI
export COUNTERSIGN_TEST_MLFLOW_EVAL_MANIFEST=$EVAL_DIR/manifest.json

step "Starting a third MLflow server with its basic-auth app (users with READ and EDIT grants, a bearer token)"
AUTH_PASSWORD="adm-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
read -r AUTH_URI AUTH_PID AUTH_DIR < <(MLFLOW_AUTH_ADMIN_PASSWORD=$AUTH_PASSWORD bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow" 1 basic-auth)
SERVERS+=("$AUTH_PID")
MLFLOW_TRACKING_URI=$AUTH_URI MLFLOW_TRACKING_USERNAME=admin MLFLOW_TRACKING_PASSWORD=$AUTH_PASSWORD \
  MLFLOW_AUTH_BEARER_TOKENS=$AUTH_DIR/bearer_tokens.json \
  "$ROOT/.venv-mlflow/bin/python" tests/mlflow/seed_auth.py "$AUTH_DIR/manifest.json" \
  > "$AUTH_DIR/seed.log" 2>&1 || { cat "$AUTH_DIR/seed.log"; exit 1; }
tail -1 "$AUTH_DIR/seed.log"
export COUNTERSIGN_TEST_MLFLOW_AUTH_URI=$AUTH_URI
export COUNTERSIGN_TEST_MLFLOW_AUTH_MANIFEST=$AUTH_DIR/manifest.json
export COUNTERSIGN_TEST_MLFLOW_AUTH_ADMIN_PASSWORD=$AUTH_PASSWORD

step "Starting an MLflow 2.x server (stages, no logged models, 500 for a missing artifact)"
read -r V2_URI V2_PID V2_DIR < <(bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow2" 1)
SERVERS+=("$V2_PID")
MLFLOW_TRACKING_URI=$V2_URI "$ROOT/.venv-mlflow2/bin/python" tests/mlflow/seed_v2.py "$V2_DIR/manifest.json" \
  > "$V2_DIR/seed.log" 2>&1 || { cat "$V2_DIR/seed.log"; exit 1; }
tail -1 "$V2_DIR/seed.log"
export COUNTERSIGN_TEST_MLFLOW_V2_URI=$V2_URI
export COUNTERSIGN_TEST_MLFLOW_V2_MANIFEST=$V2_DIR/manifest.json

step "End-to-end: MLflow, faults, real terminal"
cargo test --locked -p countersign-e2e --test mlflow_sync --test mlflow_evaluations --test mlflow_auth --test mlflow_v2 --test faults --test crash --test adversarial --test fail_closed --test config --test review --test errors --test signing --test trust --test audit_pack --test tui_terminal -- --test-threads=1

step "End-to-end: approvals written back to and verified from MLflow, and its webhooks (change the seeded server)"
cargo test --locked -p countersign-e2e --test mlflow_signing --test tui_mlflow --test secrets --test webhooks -- --test-threads=1

step "MLflow on PostgreSQL (MLflow's default 4 workers): sync, faults, write-back and concurrent signing"
# Banks run MLflow over PostgreSQL: the same seed, then the sync, fault and signing tests again
# against it (a focused subset, not the whole suite).
read -r PG_URI PG_PID PG_DIR < <(MLFLOW_BACKEND=postgresql bash tests/mlflow/start-server.sh "$ROOT/.venv-mlflow" 4)
SERVERS+=("$PG_PID")
MLFLOW_TRACKING_URI=$PG_URI "$ROOT/.venv-mlflow/bin/python" tests/mlflow/seed.py "$PG_DIR/manifest.json" \
  > "$PG_DIR/seed.log" 2>&1 || { cat "$PG_DIR/seed.log"; exit 1; }
tail -1 "$PG_DIR/seed.log"
# In a subshell: the tests after these (the desktop's) use the first server again.
(
  export COUNTERSIGN_TEST_MLFLOW_URI=$PG_URI COUNTERSIGN_TEST_MLFLOW_MANIFEST=$PG_DIR/manifest.json
  cargo test --locked -p countersign-e2e --test mlflow_sync --test faults -- --test-threads=1
  # The signing tests change the seeded server, so they run after the sync tests, as above.
  cargo test --locked -p countersign-e2e --test mlflow_signing -- --test-threads=1
)
kill -- "-$PG_PID" 2>/dev/null || true

step "End-to-end: desktop window under Xvfb"
export PATH="$ROOT/.tools/bin:$PATH"
timeout 600 xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --locked -p countersign-e2e --test desktop -- --test-threads=1

step "All tests passed"
